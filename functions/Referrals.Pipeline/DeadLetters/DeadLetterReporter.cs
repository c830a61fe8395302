using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.DeadLetters;

/// <summary>
/// Reports how many messages wait for an operator: dead letters by kind, and anything the host itself
/// moved to a poison queue. A metric (referrals.deadletters.waiting) and a warning log line to alert on.
/// </summary>
public sealed partial class DeadLetterReporter(
    DeadLetterStore deadLetters, StorageClients clients, PipelineMetrics metrics, IOptions<PipelineOptions> options, ILogger<DeadLetterReporter> logger)
{
    public async Task<IReadOnlyDictionary<string, long>> ReportAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            counts[kind.ToString().ToLowerInvariant()] = await deadLetters.CountAsync(kind, cancellationToken);
        }

        foreach (var queue in options.Value.Queues.Select(PipelineOptions.PoisonQueueOf))
        {
            var client = clients.Queues.GetQueueClient(queue);
            counts[queue] = await client.ExistsAsync(cancellationToken) ? (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount : 0;
        }

        foreach (var (store, count) in counts)
        {
            metrics.Waiting(store, count);
            if (count > 0)
            {
                LogWaiting(logger, store, count);
            }
        }

        return counts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} messages wait for an operator in {Store}: see `referrals rejected` and `referrals poison`")]
    private static partial void LogWaiting(ILogger logger, string store, long count);
}
