using Microsoft.Extensions.Logging;
using Referrals.Contract;
using Referrals.Indexes;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Ingest;

/// <summary>
/// After a commit (or a stale redelivery): the tally events and deliveries that are new in each change (all of them
/// when it has no previous state, as on a redelivery), and queued emails. The receivers ignore repeats, so handing
/// on twice is harmless.
/// </summary>
public sealed partial class IngestHandOff(
    WorkQueues work,
    VictimStateStore states,
    Tasks.TaskIndex tasks,
    PipelineMetrics metrics,
    LogIds ids,
    ILogger<IngestHandOff> logger,
    Outcomes.ReferralIdKeys referralIds)
{
    /// <summary>The referrals the changes hand on, each with its self-locating public id (<see cref="IndexRule.Issued"/>): indexed with the snapshot, then queued with it.</summary>
    public IReadOnlyList<ReferralIssued> Issue(IEnumerable<VictimChange> changes, DateTimeOffset storedAt) =>
        [.. changes.SelectMany(c => IndexRule.Issued(c.Previous, c.Next, storedAt, id => referralIds.For(storedAt, c.Next.CrimeReference, id)))];

    /// <param name="issued">The public ids indexed with the commit (<see cref="Issue"/>).</param>
    public async Task<IngestOutcome> AppliedAsync(CrimeEvent snapshot, IReadOnlyCollection<VictimChange> changes, Month month, CancellationToken cancellationToken, IReadOnlyList<ReferralIssued>? issued = null)
    {
        foreach (var state in changes.Select(c => c.Next))
        {
            metrics.Count("victim", state.ReferralStatus.ToString());
            var (loggedCrime, loggedVictim) = ids.Of(state.CrimeReference, state.VictimId);
            LogDecided(logger, loggedCrime, loggedVictim, snapshot.Crime.Version, state.ReferralStatus, state.Contact.Email.Status, state.Contact.Email.Reason);
        }

        metrics.Count("snapshot", "applied");
        // The changes' tally events were committed with them.
        await HandOnAsync(changes, month, cancellationToken, issued);
        return IngestOutcome.Applied;
    }

    /// <summary>A redelivery may follow a crash after the commit: hand on again everything the stored state asks for.</summary>
    public async Task<IngestOutcome> StaleAsync(CrimeEvent snapshot, CrimeRecord record, Month month, CancellationToken cancellationToken)
    {
        metrics.Count("snapshot", "stale");
        var (loggedCrime, loggedEvent) = (ids.Reference(snapshot.Crime.Reference), ids.Event(snapshot.EventId));
        LogStale(logger, loggedCrime, snapshot.Crime.Version, record.Version, loggedEvent);
        var stored = record.Victims.Values.Select(v => new VictimChange(null, v.State, [])).ToList();
        // Its index too: a crash may have come between the commit and the index's write (which tells the drain of the outbox),
        // with the public ids the commit issued (the same ids: the same stored time).
        var issued = record.Crime is { } stamped ? Issue(stored, stamped.UpdatedAt) : [];
        await states.CountAsync(snapshot.Crime.Reference, stored.SelectMany(c => TallyRule.Between(c.Previous, c.Next)), cancellationToken,
            [.. record.Crime is { } crime ? [new CrimeStored(crime.CrimeReference, crime.UpdatedAt), new OutboxOpened(crime.CrimeReference, crime.UpdatedAt)] : Array.Empty<IndexEntry>(), .. stored.SelectMany(c => IndexRule.Of(c.Next)), .. issued]);
        if (record.Version == snapshot.Crime.Version)
        {
            // The copies a crash kept the commit from clearing (see VictimStateStore.TryCommitAsync).
            await states.ClearCopiesAsync(record.Absent(snapshot), cancellationToken);
        }

        await HandOnAsync(stored, month, cancellationToken, issued);
        return IngestOutcome.Stale;
    }

    /// <summary>
    /// The deliveries new in each change and every queued message (email, text message, letter), unless the crime is
    /// held: those wait for the snapshot that lifts the hold (<see cref="WorkPlan"/>). Also used after a message failed
    /// or a receipt came, which may pass the information to the next channel or raise (or withdraw) a ContactNeeded task,
    /// and after an operator's action on a task.
    /// </summary>
    /// <param name="issued">The public ids indexed for these referrals (a snapshot's); a referral without one gets its id from the forwarder.</param>
    public async Task HandOnAsync(IReadOnlyCollection<VictimChange> changes, Month month, CancellationToken cancellationToken, IReadOnlyList<ReferralIssued>? issued = null)
    {
        // The Victim Care Unit's task index follows the tasks committed with the states (nothing for a victim without tasks).
        foreach (var change in changes)
        {
            await tasks.SyncAsync(change.Previous, change.Next, cancellationToken);
        }

        foreach (var (change, planned) in changes.SelectMany(c => WorkPlan.Between(c.Previous, c.Next).Select(p => (c, p))))
        {
            var publicId = planned.Kind == Referrals.Forwarding.DeliveryKind.Referral
                ? issued?.FirstOrDefault(i => i.CrimeReference == change.Next.CrimeReference && i.VictimId == change.Next.VictimId && i.ServiceId == planned.ServiceId)?.PublicId
                : null;
            await work.EnqueueReferralAsync(new ReferralWorkItem(planned.Kind, change.Next.CrimeReference, change.Next.VictimId, planned.ServiceId, month.ToString(), change.Next.ReferralDueBy, planned.TaskId, publicId), cancellationToken);
        }

        foreach (var victim in changes.Select(c => c.Next))
        {
            foreach (var channel in WorkPlan.Messages(victim))
            {
                await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, channel), cancellationToken);
            }
        }
    }

    /// <summary>
    /// An erased victim whose hold a snapshot lifted: only the notices an erasure sends (each referred service's erasure
    /// notice, the Unit's task withdrawals), never a message or referral.
    /// </summary>
    public async Task ErasedNoticesAsync(IEnumerable<VictimChange> erased, Month month, CancellationToken cancellationToken)
    {
        foreach (var (change, planned) in erased.SelectMany(c => WorkPlan.Between(c.Previous, c.Next).Select(p => (c, p))))
        {
            if (planned.Kind is Referrals.Forwarding.DeliveryKind.ErasureNotice or Referrals.Forwarding.DeliveryKind.TaskWithdrawn)
            {
                await work.EnqueueReferralAsync(new ReferralWorkItem(planned.Kind, change.Next.CrimeReference, change.Next.VictimId, planned.ServiceId, month.ToString(), null, planned.TaskId), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} version {Version} is not newer than stored version {StoredVersion} (event {EventId}): nothing changed")]
    private static partial void LogStale(ILogger logger, string crimeReference, long version, long storedVersion, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crime {CrimeReference} victim {VictimId} version {Version}: referral {ReferralStatus}, email {EmailStatus} {EmailReason}")]
    private static partial void LogDecided(ILogger logger, string crimeReference, string victimId, long version, ReferralStatus referralStatus, MessageStatus emailStatus, MessageReason? emailReason);
}
