using Referrals.Forwarding;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// What a claimed delivery sends: the victim's state is read after the claim, so a withdrawal committed before it is
/// honoured (<see cref="DeliveryWarrant"/>), and the document is built from the latest snapshot, so the service gets
/// today's contact details and safety flags.
/// </summary>
public sealed class ReferralDocuments(VictimStateStore states, RulesData rules, LogIds ids)
{
    /// <summary>The document to send, or the status the delivery is left at and why (<see cref="DeliveryWarrant.NotSent"/>), and whether the victim's state is gone.</summary>
    public async Task<(ReferralDocument? Document, (DeliveryStatus Status, string Reason)? NotSent, bool VictimGone)> ForAsync(ReferralWorkItem item)
    {
        if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, CancellationToken.None) is not { } current)
        {
            return (null, (DeliveryStatus.Cancelled, "the victim's state is gone"), true);
        }

        if (DeliveryWarrant.NotSent(item.Kind, current.State) is { } notSent)
        {
            return (null, notSent, false);
        }

        return await DocumentAsync(item, current) is { } document ? (document, null, false) : (null, (DeliveryStatus.Cancelled, "the victim is not in the latest snapshot"), false);
    }

    private async Task<ReferralDocument?> DocumentAsync(ReferralWorkItem item, Stored<VictimState> victim)
    {
        if (item.Kind == DeliveryKind.Withdrawal)
        {
            return ReferralDocument.Withdrawal(item.CrimeReference, item.VictimId, item.ServiceId);
        }

        var snapshot = await states.SnapshotForAsync(victim, ids.Reference(item.CrimeReference), CancellationToken.None);
        return snapshot?.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } person
            ? ReferralDocument.For(item.Kind, item.ServiceId, snapshot, person, rules.Rules.Decide(snapshot, person))
            : null;
    }
}
