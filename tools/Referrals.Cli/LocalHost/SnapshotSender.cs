using System.Text;
using Azure;
using Azure.Storage.Queues;

namespace Referrals.Cli.LocalHost;

/// <summary>Puts JSON Lines snapshots on the crime-events queue, one message each, Base64 as the trigger expects.</summary>
public static class SnapshotSender
{
    public static async Task<(int Sent, List<string> Failures)> SendAsync(QueueClient queue, TextReader lines, CancellationToken cancellationToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var (sent, number, failures) = (0, 0, new List<string>());
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
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
