using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contract;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Ingest;

public enum IngestOutcome
{
    Applied,
    Stale,
    Rejected,
    DeadLettered,
}

/// <summary>
/// Handles one message of the crime-events queue: validate, decide, commit every victim's new state in one
/// transaction guarded by ETags, then hand the emails to their queue. Safe to run twice on one message.
/// </summary>
public sealed partial class SnapshotIngestor(
    ReferralRules rules,
    VictimStateStore states,
    WorkQueues work,
    DeadLetterStore deadLetters,
    TallyStore tallies,
    PipelineMetrics metrics,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    LogIds ids,
    ILogger<SnapshotIngestor> logger)
{
    private const int MaxConcurrencyRetries = 5;

    public async Task<IngestOutcome> HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            return await ProcessAsync(rawMessage, dequeueCount, cancellationToken);
        }
        catch (Exception ex) when (dequeueCount >= QueueHostSettings.MaxDequeueCount && ex is not OperationCanceledException)
        {
            // The last delivery: keep the message with its reason rather than let it vanish into a poison queue.
            await deadLetters.AddAsync(DeadLetterKind.Poison, options.Value.CrimeEventsQueue, rawMessage,
                $"retries exhausted after {dequeueCount} deliveries: {ex.GetType().Name}: {ex.Message}", dequeueCount, cancellationToken: cancellationToken);
            metrics.Count("deadletter", "poison");
            LogDeadLettered(logger, dequeueCount, ex.GetType().Name);
            return IngestOutcome.DeadLettered;
        }
    }

    private async Task<IngestOutcome> ProcessAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        var parsed = QueueText.TryDecode(rawMessage, out var payload)
            ? CrimeEventParser.Parse(payload)
            : ParseResult.Rejected(null, "message is not Base64: the crime-events queue carries Base64-encoded UTF-8 JSON");
        if (parsed.Snapshot is not { } snapshot)
        {
            return await RefuseAsync(rawMessage, parsed.Reason!, RefusalFields.Of(parsed.Reason!), dequeueCount, parsed.EventId, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            var record = await states.LoadAsync(snapshot.Crime.Reference, cancellationToken);
            if (Decide(snapshot, record, out var failure) is not (var month, var decisions, var next))
            {
                // The same snapshot fails the same way every time: refused now, not retried until it is poison.
                return await RefuseAsync(rawMessage, $"the rules could not decide this snapshot: {failure!.GetType().Name}: {failure.Message}", "rules", dequeueCount, snapshot.EventId, cancellationToken);
            }

            if (record.Version >= snapshot.Crime.Version)
            {
                metrics.Count("snapshot", "stale");
                var (loggedCrime, loggedEvent) = (ids.Reference(snapshot.Crime.Reference), ids.Event(snapshot.EventId));
                LogStale(logger, loggedCrime, snapshot.Crime.Version, record.Version, loggedEvent);
                // A redelivery may follow a crash after the commit: hand on again everything the stored state asks for.
                await HandOnAsync(record.Victims.Values.Select(v => ((VictimStateEntity?)null, v)), month, cancellationToken);
                return IngestOutcome.Stale;
            }

            bool committed;
            try
            {
                committed = await states.TryCommitAsync(Actions(record, snapshot, payload, next), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                // Storage refused the rows themselves (a key or a value it cannot hold): no retry will change that.
                return await RefuseAsync(rawMessage, $"the snapshot could not be stored: {ex.Status} {ex.ErrorCode}", "storage", dequeueCount, snapshot.EventId, cancellationToken);
            }

            if (committed)
            {
                foreach (var (decision, state) in decisions.Zip(next))
                {
                    metrics.Count("victim", state.ReferralStatus);
                    var (loggedCrime, loggedVictim) = ids.Of(decision.CrimeReference, decision.VictimId);
                    LogDecided(logger, loggedCrime, loggedVictim, snapshot.Crime.Version, state.ReferralStatus, state.EmailStatus, state.EmailReason);
                }

                metrics.Count("snapshot", "applied");
                await HandOnAsync(next.Select(v => (record.Victims.GetValueOrDefault(v.VictimId), v)), month, cancellationToken);
                return IngestOutcome.Applied;
            }

            if (attempt == MaxConcurrencyRetries)
            {
                throw new InvalidOperationException($"Crime {ids.Reference(snapshot.Crime.Reference)} kept changing while version {snapshot.Crime.Version} was applied; the queue will retry it.");
            }

            var conflicted = ids.Reference(snapshot.Crime.Reference);
            LogConflict(logger, conflicted, snapshot.Crime.Version, attempt);
        }
    }

    /// <summary>
    /// The snapshot's month, its decisions and the victims' next states; null, with the exception, when the rules or
    /// the calendar throw on it (a date at the edge of the calendar, say). They are pure, so it would throw again on
    /// every delivery. Decided even for a stale snapshot, so one that can never be decided is refused whatever is stored.
    /// </summary>
    private (Month Month, IReadOnlyList<VictimDecision> Decisions, List<VictimStateEntity> Next)? Decide(CrimeEvent snapshot, CrimeRecord record, out Exception? failure)
    {
        try
        {
            var month = Month.Of(snapshot.SentAt);
            var decisions = rules.Decide(snapshot);
            failure = null;
            return (month, decisions, [.. decisions.Select(d => VictimTransitions.Apply(record.Victims.GetValueOrDefault(d.VictimId), d, record.PartitionKey, time.GetUtcNow(), month))]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
            return null;
        }
    }

    /// <summary>Keeps a message that will never be processed as it is, with its reason, for an operator to fix and replay.</summary>
    private async Task<IngestOutcome> RefuseAsync(string rawMessage, string reason, string fields, long dequeueCount, string? eventId, CancellationToken cancellationToken)
    {
        var letter = await deadLetters.AddAsync(DeadLetterKind.Rejected, options.Value.CrimeEventsQueue, rawMessage, reason, dequeueCount, eventId, cancellationToken: cancellationToken);
        await tallies.RecordAsync([new TallyEvent(Month.Of(letter.FirstSeenAt), TallyCategories.RejectedMessages, letter.RowKey)], cancellationToken);
        metrics.Count("snapshot", "rejected");
        LogRejected(logger, eventId is null ? null : ids.Event(eventId), fields, letter.RowKey);
        return IngestOutcome.Rejected;
    }

    private List<TableTransactionAction> Actions(CrimeRecord record, CrimeEvent snapshot, byte[] payload, List<VictimStateEntity> victims)
    {
        var crime = new CrimeStateEntity
        {
            PartitionKey = record.PartitionKey,
            RowKey = VictimStateStore.CrimeRowKeyFor(record.PartitionKey),
            CrimeReference = snapshot.Crime.Reference,
            Version = snapshot.Crime.Version,
            EventId = snapshot.EventId,
            SentAt = snapshot.SentAt,
            OffenceCode = OffenceCode.Normalise(snapshot.Crime.Offence.HomeOfficeCode),
            Snapshot = payload,
            UpdatedAt = time.GetUtcNow(),
        };

        // The crime row carries the ETag check: if another delivery applied a version first, the whole transaction fails.
        var actions = new List<TableTransactionAction>
        {
            record.Crime is { } stored
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, crime, stored.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, crime),
        };
        actions.AddRange(victims.Select(v => v.ETag == default
            ? new TableTransactionAction(TableTransactionActionType.Add, v)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, v, v.ETag)));
        return actions;
    }

    /// <summary>
    /// After a commit: the tally events and deliveries that are new since <c>previous</c> (all of them when it is null,
    /// as on a redelivery), and queued emails. The receivers ignore repeats, so handing on twice is harmless.
    /// </summary>
    private async Task HandOnAsync(IEnumerable<(VictimStateEntity? Previous, VictimStateEntity Next)> victims, Month month, CancellationToken cancellationToken)
    {
        var changes = victims.ToList();
        var counted = changes.SelectMany(c => VictimTransitions.CountedEvents(c.Next)
            .Except(c.Previous is null ? [] : VictimTransitions.CountedEvents(c.Previous))
            .Select(e => new TallyEvent(e.Month, e.Category, $"{c.Next.CrimeReference}:{c.Next.VictimId}")));
        await tallies.RecordAsync(counted, cancellationToken);

        foreach (var item in changes.SelectMany(c => WorkPlan.Between(c.Previous, c.Next, month)))
        {
            await work.EnqueueReferralAsync(item, cancellationToken);
        }

        foreach (var (_, victim) in changes.Where(c => c.Next.EmailStatus == nameof(EmailStatus.Queued)))
        {
            await work.EnqueueEmailAsync(new EmailWorkItem(victim.CrimeReference, victim.VictimId, victim.Version), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected crime event {EventId} for {Fields}: its reason is in dead letter {DeadLetterId} (`referrals rejected`)")]
    private static partial void LogRejected(ILogger logger, string? eventId, string fields, string deadLetterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} is not newer than stored version {StoredVersion} (event {EventId}): nothing changed")]
    private static partial void LogStale(ILogger logger, string crimeReference, long version, long storedVersion, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} victim {VictimId} version {Version}: referral {ReferralStatus}, email {EmailStatus} {EmailReason}")]
    private static partial void LogDecided(ILogger logger, string crimeReference, string victimId, long version, string referralStatus, string emailStatus, string? emailReason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Crime event dead-lettered after {DequeueCount} deliveries ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, long dequeueCount, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} met a concurrent change (attempt {Attempt}); reloading")]
    private static partial void LogConflict(ILogger logger, string crimeReference, long version, int attempt);
}
