using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Pipeline.Ingest;

/// <summary>
/// The ingest's two ways out for a crime event it cannot apply: refused now (it will fail the same way every time),
/// or poison after its last delivery. Either way the message is kept with its reason, never dropped.
/// </summary>
public sealed partial class IngestRefusals(
    DeadLetterStore deadLetters,
    TallyStore tallies,
    PipelineMetrics metrics,
    IOptions<PipelineOptions> options,
    LogIds ids,
    ILogger<IngestRefusals> logger)
{
    /// <summary>Keeps a message that will never be processed as it is, with its reason, for an operator to fix and replay.</summary>
    public async Task<IngestOutcome> RefuseAsync(string rawMessage, string reason, string fields, long dequeueCount, string? eventId, CancellationToken cancellationToken)
    {
        var letter = await deadLetters.AddAsync(DeadLetterKind.Rejected, options.Value.CrimeEventsQueue, rawMessage, reason, dequeueCount, eventId, cancellationToken: cancellationToken);
        var month = QueueText.TryDecode(rawMessage, out var sent) ? RejectedMonth.Of(sent, letter.FirstSeenAt) : Month.Of(letter.FirstSeenAt);
        await tallies.RecordAsync([new TallyEvent(month, TallyCategories.RejectedMessages, letter.RowKey)], cancellationToken);
        metrics.Count("snapshot", "rejected");
        LogRejected(logger, eventId is null ? null : ids.Event(eventId), fields, letter.RowKey);
        return IngestOutcome.Rejected;
    }

    /// <summary>The last delivery failed: keep the message with its reason rather than let it vanish into a poison queue.</summary>
    public async Task<IngestOutcome> PoisonAsync(string rawMessage, long dequeueCount, Exception failure, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(DeadLetterKind.Poison, options.Value.CrimeEventsQueue, rawMessage,
            $"retries exhausted after {dequeueCount} deliveries: {failure.GetType().Name}: {failure.Message}", dequeueCount, cancellationToken: cancellationToken);
        metrics.Count("deadletter", "poison");
        LogDeadLettered(logger, dequeueCount, failure.GetType().Name);
        return IngestOutcome.DeadLettered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected crime event {EventId} for {Fields}: its reason is in dead letter {DeadLetterId} (`referrals rejected`)")]
    private static partial void LogRejected(ILogger logger, string? eventId, string fields, string deadLetterId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Crime event dead-lettered after {DequeueCount} deliveries ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, long dequeueCount, string errorType);
}
