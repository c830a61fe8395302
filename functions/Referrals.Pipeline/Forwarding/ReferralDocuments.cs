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
    /// <summary>The document to send, or why none is (and whether the victim's state is gone).</summary>
    public async Task<(ReferralDocument? Document, string? NotSent, bool VictimGone)> ForAsync(ReferralWorkItem item)
    {
        var current = await states.LoadVictimAsync(item.CrimeReference, item.VictimId, CancellationToken.None);
        if ((current is null ? "the victim's state is gone" : DeliveryWarrant.WhyNot(item.Kind, current.State.ReferralStatus)) is { } notWarranted)
        {
            return (null, notWarranted, current is null);
        }

        return await DocumentAsync(item, current!) is { } document ? (document, null, false) : (null, "the victim is not in the latest snapshot", false);
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
