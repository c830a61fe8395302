using Referrals.Forwarding;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// What a claimed delivery sends: the victim's state is read after the claim, so a withdrawal committed before it is
/// honoured (<see cref="DeliveryWarrant"/>), and the document is built from the latest snapshot, so the service gets
/// today's contact details and safety flags.
/// </summary>
public sealed class ReferralDocuments(VictimStateStore states, DeliveryStore deliveries, RulesData rules, LogIds ids, TimeProvider time)
{
    /// <summary>The document to send, or the status the delivery is left at and why (<see cref="DeliveryWarrant.NotSent"/>), and whether the victim's state is gone.</summary>
    /// <param name="publicId">A referral's public id, as its delivery row keeps it (the same in every send).</param>
    public async Task<(IDeliveryDocument? Document, (DeliveryStatus Status, string Reason)? NotSent, bool VictimGone)> ForAsync(ReferralWorkItem item, string? publicId = null)
    {
        if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, CancellationToken.None) is not { } current)
        {
            return (null, (DeliveryStatus.Cancelled, "the victim's state is gone"), true);
        }

        if (DeliveryWarrant.NotSent(item.Kind, current.State, item.TaskId) is { } notSent)
        {
            return (null, notSent, false);
        }

        return await DocumentAsync(item, current, publicId) is { } document ? (document, null, false) : (null, (DeliveryStatus.Cancelled, "the victim is not in the latest snapshot"), false);
    }

    private async Task<IDeliveryDocument?> DocumentAsync(ReferralWorkItem item, Stored<VictimState> victim, string? publicId)
    {
        if (item.Kind is DeliveryKind.Withdrawal or DeliveryKind.ErasureNotice)
        {
            // Each names the referral by its public id too, as the service knows it (rulebook 1.2 section 11).
            var referral = await deliveries.GetAsync(DeliveryKind.Referral, item.CrimeReference, item.VictimId, item.ServiceId, CancellationToken.None);
            return item.Kind == DeliveryKind.Withdrawal
                ? ReferralDocument.Withdrawal(item.CrimeReference, item.VictimId, item.ServiceId) with { PublicId = PublicReferralIds.Normalise(referral?.State.PublicId) }
                : ReferralDocument.ErasureNotice(item.CrimeReference, item.VictimId, item.ServiceId, referral?.State.PublicId);
        }

        // Rulebook 1.2 section 10: what a task tells the Unit (only contacts marked safe, no free text), and its withdrawal.
        var task = item.TaskId is { } taskId ? victim.State.Tasks.Find(taskId) : null;
        if (item.Kind == DeliveryKind.TaskWithdrawn)
        {
            return TaskDocument.Withdrawal(task!, victim.State);
        }

        var snapshot = await states.SnapshotForAsync(victim, ids.Reference(item.CrimeReference), CancellationToken.None);
        if (task is not null)
        {
            return snapshot?.Victims.Any(v => v.Id == item.VictimId) == true ? TaskDocument.For(task, victim.State, snapshot, time.GetUtcNow()) : null;
        }

        return snapshot?.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } person
            ? ReferralDocument.For(item.Kind, item.ServiceId, snapshot, person, rules.Rules.Decide(snapshot, person), publicId)
            : null;
    }
}
