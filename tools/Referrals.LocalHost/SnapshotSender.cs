using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Azure;
using Azure.Storage.Queues;
using Referrals.Contract;
using Referrals.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// Puts JSON Lines snapshots on the crime-events queue, one message each, Base64 as the trigger expects: exactly the
/// bytes of each line. A line that cannot be a message (not UTF-8, too large) is reported by number and reason, never
/// by its content, and the rest are sent.
/// </summary>
public static class SnapshotSender
{
    /// <summary>Lines are kept up to the contract's limit; a longer one is refused with its size.</summary>
    public const int MaxLineBytes = ContractLimits.MaxMessageBytes;

    public static async Task<List<ExactLine>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var lines = new List<ExactLine>();
        await foreach (var line in ExactLines.ReadAsync(input, MaxLineBytes, cancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// Splits lines into waves so that a crime's later snapshots follow its earlier ones, as the records system
    /// sends them over time: the queue trigger processes a batch at once and would otherwise see them in any order.
    /// </summary>
    public static List<List<ExactLine>> Waves(IEnumerable<ExactLine> lines)
    {
        var waves = new List<List<ExactLine>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var reference = Parse(line)?.Crime.Reference;
            var wave = reference is null ? 0 : seen[reference] = seen.TryGetValue(reference, out var earlier) ? earlier + 1 : 0;
            while (waves.Count <= wave)
            {
                waves.Add([]);
            }

            waves[wave].Add(line);
        }

        return waves;
    }

    /// <summary>Waves of lines given as text (tests and tools that build snapshots in code).</summary>
    public static List<List<(int Number, string Line)>> Waves(IEnumerable<string> lines) =>
        [.. Waves(lines.Select((line, i) => new ExactLine(i + 1, Encoding.UTF8.GetBytes(line), Encoding.UTF8.GetByteCount(line), TooLong: false)))
            .Select(wave => wave.Select(line => (line.Number, Encoding.UTF8.GetString(line.Bytes))).ToList())];

    /// <summary>The Europe/London months the valid snapshots count in (their sentAt), and the current month, when rejections count.</summary>
    public static List<Month> MonthsOf(IEnumerable<ExactLine> lines) =>
        [.. lines.Select(line => Parse(line)?.SentAt)
            .OfType<DateTimeOffset>()
            .Append(DateTimeOffset.UtcNow)
            .Select(Month.Of)
            .Distinct()
            .Order()];

    /// <summary>
    /// The months a run counts and prints: those of the snapshots, at most <see cref="MonthRange.MaxMonths"/> back from
    /// the latest, so one odd sentAt cannot make a run count and print decades of empty months.
    /// </summary>
    public static MonthRange TallyRange(IReadOnlyList<Month> months)
    {
        var (from, to) = (months.Min(), months.Max());
        var earliest = to;
        for (var i = 1; i < MonthRange.MaxMonths; i++)
        {
            earliest = earliest.Previous;
        }

        return new MonthRange(from > earliest ? from : earliest, to);
    }

    public static async Task<(int Sent, List<string> Failures)> SendAsync(QueueClient queue, IEnumerable<ExactLine> lines, CancellationToken cancellationToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var (sent, failures) = (0, new List<string>());
        foreach (var line in lines)
        {
            if (line.IsBlank)
            {
                continue;
            }

            if (Refusal(line) is { } reason)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"line {line.Number}: {reason}"));
                continue;
            }

            try
            {
                await queue.SendMessageAsync(new BinaryData(line.Bytes), cancellationToken: cancellationToken);
                sent++;
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"line {line.Number}: the queue refused it ({ex.ErrorCode ?? ex.Status.ToString(CultureInfo.InvariantCulture)}); a queue message holds at most 48 KiB of JSON once Base64-encoded"));
            }
        }

        return (sent, failures);
    }

    /// <summary>
    /// Why a line cannot go on the queue at all: the trigger reads a message as text, so bytes that are not UTF-8
    /// would arrive as U+FFFD and be accepted. The reasons are the parser's own, as `referrals decide` prints them.
    /// Anything else the contract refuses is sent: the pipeline refuses it and keeps it for `referrals rejected`.
    /// </summary>
    private static string? Refusal(ExactLine line) =>
        line.TooLong ? ContractLimits.TooLarge(line.Length)
        : !Utf8.IsValid(line.Bytes) ? CrimeEventParser.Parse(line.Bytes).Reason
        : null;

    /// <summary>Only to order and count the run: a line the parser cannot read is still sent, and refused by the pipeline with its reason.</summary>
    private static CrimeEvent? Parse(ExactLine line)
    {
        if (line.TooLong || line.IsBlank)
        {
            return null;
        }

        try
        {
            return CrimeEventParser.Parse(line.Bytes).Snapshot;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
