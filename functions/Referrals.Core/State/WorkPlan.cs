using Referrals.Forwarding;

namespace Referrals.State;

/// <summary>One delivery a victim's state asks for.</summary>
public sealed record PlannedDelivery(DeliveryKind Kind, string ServiceId);

/// <summary>
/// Which deliveries a victim's state asks for. The ingestor hands on <see cref="Between"/> after a commit and
/// <see cref="All"/> on a redelivery (a crash between commit and enqueue loses nothing; deliveries are idempotent).
/// While the crime is held (HoldContact) it asks for nothing.
/// </summary>
public static class WorkPlan
{
    public static IEnumerable<PlannedDelivery> Between(VictimState? previous, VictimState next)
    {
        // Rulebook 1.1 section 9: nothing goes out while the crime is held; once a snapshot lifts the hold, everything the
        // state asks for goes, as if just decided (the receivers' ids make anything already sent a repeat).
        if (HoldRule.IsHeld(next))
        {
            yield break;
        }

        if (previous is not null && HoldRule.IsHeld(previous))
        {
            previous = null;
        }

        foreach (var service in next.ReferredServices.Except(previous?.ReferredServices ?? []))
        {
            yield return new(DeliveryKind.Referral, service);
        }

        if (next.ReferralStatus == ReferralStatus.Withdrawn && previous?.ReferralStatus != ReferralStatus.Withdrawn)
        {
            foreach (var service in next.ReferredServices)
            {
                yield return new(DeliveryKind.Withdrawal, service);
            }
        }

        foreach (var task in next.VcuTasks.Except(previous?.VcuTasks ?? []))
        {
            yield return new(task, Rules.VictimCareUnit.Id);
        }
    }

    /// <summary>Every delivery the state has ever asked for.</summary>
    public static IEnumerable<PlannedDelivery> All(VictimState victim) => Between(null, victim);

    /// <summary>The channels whose entitlement message is queued, to be handed to the sender; none while the crime is held.</summary>
    public static IEnumerable<Contact.Channel> Messages(VictimState victim) =>
        HoldRule.IsHeld(victim) ? [] : Contact.ChannelNames.InOrder.Where(c => victim.Contact[c].Status == MessageStatus.Queued);
}
