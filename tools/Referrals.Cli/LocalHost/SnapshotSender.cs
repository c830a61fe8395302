using System.Text;
using Azure;
using Azure.Storage.Queues;

using Referrals.Tallies;

namespace Referrals.Cli.LocalHost;

/// <summary>Puts JSON Lines snapshots on the crime-events queue, one message each, Base64 as the trigger expects.</summary>
public static class SnapshotSender
{
    public static async Task<(int Sent, List<string> Failures)> SendAsync(QueueClient queue, TextReader lines, CancellationToken cancellationToken)
    {
        var numbered = new List<(int, string)>();
        var number = 0;
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            numbered.Add((++number, line));
        }

        return await SendAsync(queue, numbered, cancellationToken);
    }

    /// <summary>
    /// Splits lines into waves so that a crime's later snapshots follow its earlier ones, as the records system
    /// sends them over time: the queue trigger processes a batch at once and would otherwise see them in any order.
    /// </summary>
    public static List<List<(int Number, string Line)>> Waves(IEnumerable<string> lines)
    {
        var waves = new List<List<(int, string)>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            var reference = Referrals.Contract.CrimeEventParser.Parse(line).Snapshot?.Crime.Reference;
            var wave = reference is null ? 0 : seen[reference] = seen.TryGetValue(reference, out var earlier) ? earlier + 1 : 0;
            while (waves.Count <= wave)
            {
                waves.Add([]);
            }

            waves[wave].Add((number, line));
        }

        return waves;
    }

    /// <summary>The Europe/London months the valid snapshots count in (their sentAt), and the current month, when rejections count.</summary>
    public static List<Month> MonthsOf(IEnumerable<string> lines) =>
        [.. lines.Select(line => Referrals.Contract.CrimeEventParser.Parse(line).Snapshot?.SentAt)
            .OfType<DateTimeOffset>()
            .Append(DateTimeOffset.UtcNow)
            .Select(Month.Of)
            .Distinct()
            .Order()];

    public static async Task<(int Sent, List<string> Failures)> SendAsync(QueueClient queue, IEnumerable<(int Number, string Line)> lines, CancellationToken cancellationToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var (sent, failures) = (0, new List<string>());
        foreach (var (number, line) in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                await queue.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(line)), cancellationToken: cancellationToken);
                sent++;
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                failures.Add($"line {number}: the queue refused it ({ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)}); a queue message holds at most 48 KiB of JSON once Base64-encoded");
            }
        }

        return (sent, failures);
    }
}
