using Azure;
using Microsoft.Extensions.Logging;
using Referrals.Contract;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.Pipeline.Ingest;

/// <summary>
/// Handles one message of the crime-events queue: validate, load the crime, decide (<see cref="VictimTransition"/>),
/// commit every victim's new state in one transaction guarded by ETags, then hand on (<see cref="IngestHandOff"/>).
/// Safe to run twice on one message.
/// </summary>
public sealed partial class SnapshotIngestor(
    ReferralRules rules,
    RulesData rulesData,
    VictimStateStore states,
    IngestRefusals refusals,
    IngestHandOff handOff,
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
            return await refusals.PoisonAsync(rawMessage, dequeueCount, ex, cancellationToken);
        }
    }

    private async Task<IngestOutcome> ProcessAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        var parsed = QueueText.TryDecode(rawMessage, out var payload)
            ? CrimeEventParser.Parse(payload)
            : ParseResult.Rejected(null, "message is not Base64: the crime-events queue carries Base64-encoded UTF-8 JSON");
        if (parsed.Snapshot is not { } snapshot)
        {
            return await refusals.RefuseAsync(rawMessage, parsed.Reason!, RefusalFields.Of(parsed.Reason!), dequeueCount, parsed.EventId, cancellationToken);
        }

        // A first delivery is tried (attempt 0) as a crime not seen before, as most are: the transaction then adds the
        // crime row without reading it first, and fails with 409 if it exists after all, which loads and tries again.
        for (var attempt = dequeueCount <= 1 ? 0 : 1; attempt <= MaxConcurrencyRetries; attempt++)
        {
            var record = attempt == 0 ? CrimeRecord.None(snapshot.Crime.Reference) : await states.LoadAsync(snapshot.Crime.Reference, cancellationToken);
            if (Decide(snapshot, record, out var failure) is not (var month, var changes, var decisions))
            {
                // The same snapshot fails the same way every time: refused now, not retried until it is poison.
                return await refusals.RefuseAsync(rawMessage, $"the rules could not decide this snapshot: {failure!.GetType().Name}: {failure.Message}", "rules", dequeueCount, snapshot.EventId, cancellationToken);
            }

            if (record.Version >= snapshot.Crime.Version)
            {
                return await handOff.StaleAsync(snapshot, record, month, cancellationToken);
            }

            try
            {
                var copyFor = SnapshotCopy.For(payload);
                var left = Left(record.Absent(snapshot));
                var erased = ErasedHolds(snapshot, record);
                var crimeRow = CrimeRow.For(record.PartitionKey, snapshot, payload, time.GetUtcNow(), record.Crime);
                var issued = handOff.Issue(changes, crimeRow.UpdatedAt);
                if (await states.TryCommitAsync(crimeRow, record.Crime?.ETag,
                        changes.Select(c => (c.Next, record.Victims.GetValueOrDefault(c.Next.VictimId)?.ETag ?? default, copyFor(c.Next.VictimId)))
                            .Concat(erased.Select(c => (c.Next, record.Victims[c.Next.VictimId].ETag, SnapshotCopy.NotInLatest))),
                        [.. left.Select(l => l.Stored)], changes.SelectMany(c => TallyRule.Between(c.Previous, c.Next)), cancellationToken,
                        AuditRow.ForSnapshot(record.PartitionKey, snapshot, decisions.Zip(changes), rulesData.Version, time.GetUtcNow(), erased),
                        [.. changes.Concat(left.Select(l => l.Change)).SelectMany(c => IndexRule.Between(c.Previous is null ? [] : IndexRule.Of(c.Previous), IndexRule.Of(c.Next))), .. issued]))
                {
                    var applied = await handOff.AppliedAsync(snapshot, changes, month, cancellationToken, issued);
                    await handOff.HandOnAsync([.. left.Select(l => l.Change)], month, cancellationToken);
                    await handOff.ErasedNoticesAsync(erased, month, cancellationToken);
                    return applied;
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 413)
            {
                // Storage refused the rows themselves (a key or a value it cannot hold): no retry will change that.
                return await refusals.RefuseAsync(rawMessage, $"the snapshot could not be stored: {ex.Status} {ex.ErrorCode}", "storage", dequeueCount, snapshot.EventId, cancellationToken);
            }

            if (attempt is > 0 and < MaxConcurrencyRetries)
            {
                var conflicted = ids.Reference(snapshot.Crime.Reference);
                LogConflict(logger, conflicted, snapshot.Crime.Version, attempt);
            }
        }

        throw new InvalidOperationException($"Crime {ids.Reference(snapshot.Crime.Reference)} kept changing while version {snapshot.Crime.Version} was applied; the queue will retry it.");
    }

    /// <summary>
    /// The snapshot's month and its victims' changes; null, with the exception, when the rules or the calendar throw on
    /// it (a date at the edge of the calendar, say). They are pure, so it would throw again on every delivery. Decided
    /// even for a stale snapshot, so one that can never be decided is refused whatever is stored. A victim an operator
    /// erased is not decided at all: no state, message or referral for them again (docs/privacy.md).
    /// </summary>
    private (Month Month, List<VictimChange> Changes, List<VictimDecision> Decisions)? Decide(CrimeEvent snapshot, CrimeRecord record, out Exception? failure)
    {
        try
        {
            var month = Month.Of(snapshot.SentAt);
            var erased = record.Crime.Erased();
            List<VictimDecision> decisions = [];
            List<VictimChange> changes = [];
            foreach (var decided in rules.Decide(snapshot).Where(d => !erased.Contains(d.VictimId)))
            {
                // Rulebook 1.2 section 10: a decision the Victim Care Unit recorded stays in force unless this snapshot replaces it.
                var previous = record.Victims.GetValueOrDefault(decided.VictimId)?.State;
                var victim = snapshot.Victims.First(v => v.Id == decided.VictimId);
                var (support, consent, kept) = ConsentRule.OnSnapshot(previous?.Consent, victim.Support, snapshot.SentAt);
                var decision = kept is null ? decided : WithReason(rules.Decide(snapshot, victim with { Support = support }), kept);
                decisions.Add(decision);
                changes.Add(VictimTransition.Apply(previous, decision, time.GetUtcNow(), month, rules.Calendar, consent));
            }

            failure = null;
            return (month, changes, decisions);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
            return null;
        }
    }

    /// <summary>Erased victims whose row's hold this snapshot sets or lifts (<see cref="HoldRule.Follow"/>): their notices wait for, or go with, it.</summary>
    private List<VictimChange> ErasedHolds(CrimeEvent snapshot, CrimeRecord record)
    {
        var held = CrimeFlags.Has(snapshot.Crime, CrimeFlags.HoldContact);
        return [.. record.Crime.Erased()
            .Select(id => record.Victims.GetValueOrDefault(id)?.State)
            .OfType<VictimState>()
            .Select(v => new VictimChange(v, HoldRule.Follow(v, held, time.GetUtcNow()), []))
            .Where(c => !ReferenceEquals(c.Previous, c.Next))];
    }

    private static VictimDecision WithReason(VictimDecision decision, string reason) => decision with { Reasons = [.. decision.Reasons, reason] };

    /// <summary>Stored victims the snapshot no longer lists: their open Victim Care Unit tasks are withdrawn (rulebook 1.2 section 10).</summary>
    private List<(Stored<VictimState> Stored, VictimChange Change)> Left(IReadOnlyList<Stored<VictimState>> absent) =>
        [.. absent.Select(v => TaskRule.CloseBook(v.State, TaskWithdrawal.NotInLatestSnapshot, time.GetUtcNow()) is var next ? (v with { State = next }, new VictimChange(v.State, next, [])) : default)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} met a concurrent change (attempt {Attempt}); reloading")]
    private static partial void LogConflict(ILogger logger, string crimeReference, long version, int attempt);
}
