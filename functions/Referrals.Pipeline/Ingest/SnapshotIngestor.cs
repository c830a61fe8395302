using Azure;
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
using Referrals.State;
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

        // A first delivery is tried (attempt 0) as a crime not seen before, as most are: the transaction then adds the
        // crime row without reading it first, and fails with 409 if it exists after all, which loads and tries again.
        for (var attempt = dequeueCount <= 1 ? 0 : 1; ; attempt++)
        {
            var record = attempt == 0 ? CrimeRecord.None(snapshot.Crime.Reference) : await states.LoadAsync(snapshot.Crime.Reference, cancellationToken);
            if (Decide(snapshot, record, out var failure) is not (var month, var changes))
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
                await HandOnAsync([.. record.Victims.Values.Select(v => new VictimChange(null, v.State, []))], month, cancellationToken);
                return IngestOutcome.Stale;
            }

            bool committed;
            try
            {
                committed = await states.TryCommitAsync(CrimeRow(record, snapshot, payload), record.Crime?.ETag,
                    changes.Select(c => (c.Next, record.Victims.GetValueOrDefault(c.Next.VictimId)?.ETag ?? default)), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                // Storage refused the rows themselves (a key or a value it cannot hold): no retry will change that.
                return await RefuseAsync(rawMessage, $"the snapshot could not be stored: {ex.Status} {ex.ErrorCode}", "storage", dequeueCount, snapshot.EventId, cancellationToken);
            }

            if (committed)
            {
                foreach (var state in changes.Select(c => c.Next))
                {
                    metrics.Count("victim", state.ReferralStatus.ToString());
                    var (loggedCrime, loggedVictim) = ids.Of(state.CrimeReference, state.VictimId);
                    LogDecided(logger, loggedCrime, loggedVictim, snapshot.Crime.Version, state.ReferralStatus, state.Email.Status, state.Email.Reason);
                }

                metrics.Count("snapshot", "applied");
                await HandOnAsync(changes, month, cancellationToken);
                return IngestOutcome.Applied;
            }

            if (attempt == 0)
            {
                continue;
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
    /// The snapshot's month and its victims' changes (<see cref="VictimTransition"/>); null, with the exception, when the
    /// rules or the calendar throw on it (a date at the edge of the calendar, say). They are pure, so it would throw again
    /// on every delivery. Decided even for a stale snapshot, so one that can never be decided is refused whatever is stored.
    /// </summary>
    private (Month Month, List<VictimChange> Changes)? Decide(CrimeEvent snapshot, CrimeRecord record, out Exception? failure)
    {
        try
        {
            var month = Month.Of(snapshot.SentAt);
            failure = null;
            return (month, [.. rules.Decide(snapshot).Select(d => VictimTransition.Apply(record.Victims.GetValueOrDefault(d.VictimId)?.State, d, time.GetUtcNow(), month))]);
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

    private CrimeStateEntity CrimeRow(CrimeRecord record, CrimeEvent snapshot, byte[] payload) => new()
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

    /// <summary>
    /// After a commit: the tally events and deliveries that are new in each change (all of them when it has no previous
    /// state, as on a redelivery), and queued emails. The receivers ignore repeats, so handing on twice is harmless.
    /// </summary>
    private async Task HandOnAsync(IReadOnlyCollection<VictimChange> changes, Month month, CancellationToken cancellationToken)
    {
        await tallies.RecordAsync(changes.SelectMany(c => TallyRule.Between(c.Previous, c.Next)), cancellationToken);
        foreach (var (change, planned) in changes.SelectMany(c => WorkPlan.Between(c.Previous, c.Next).Select(p => (c, p))))
        {
            await work.EnqueueReferralAsync(new ReferralWorkItem(planned.Kind, change.Next.CrimeReference, change.Next.VictimId, planned.ServiceId, month.ToString(), change.Next.ReferralDueBy), cancellationToken);
        }

        foreach (var victim in changes.Select(c => c.Next).Where(v => v.Email.Status == EmailStatus.Queued))
        {
            await work.EnqueueEmailAsync(new EmailWorkItem(victim.CrimeReference, victim.VictimId, victim.Version), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected crime event {EventId} for {Fields}: its reason is in dead letter {DeadLetterId} (`referrals rejected`)")]
    private static partial void LogRejected(ILogger logger, string? eventId, string fields, string deadLetterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} is not newer than stored version {StoredVersion} (event {EventId}): nothing changed")]
    private static partial void LogStale(ILogger logger, string crimeReference, long version, long storedVersion, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} victim {VictimId} version {Version}: referral {ReferralStatus}, email {EmailStatus} {EmailReason}")]
    private static partial void LogDecided(ILogger logger, string crimeReference, string victimId, long version, ReferralStatus referralStatus, EmailStatus emailStatus, string? emailReason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Crime event dead-lettered after {DequeueCount} deliveries ({ErrorType})")]
    private static partial void LogDeadLettered(ILogger logger, long dequeueCount, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} met a concurrent change (attempt {Attempt}); reloading")]
    private static partial void LogConflict(ILogger logger, string crimeReference, long version, int attempt);
}
