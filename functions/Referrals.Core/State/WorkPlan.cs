using Referrals.Forwarding;
using Referrals.Tasks;

namespace Referrals.State;

/// <summary>One delivery a victim's state asks for (a Victim Care Unit task's notice names its task).</summary>
public sealed record PlannedDelivery(DeliveryKind Kind, string ServiceId, string? TaskId = null);

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

        // Rulebook 1.2 section 11: once the victim's personal data is erased, each referred service is told (the forwarder
        // sends it only where the referral reached the service, as a withdrawal).
        if (next.Tasks.Closed == TaskWithdrawal.Erased && previous?.Tasks.Closed != TaskWithdrawal.Erased)
        {
            foreach (var service in next.ReferredServices)
            {
                yield return new(DeliveryKind.ErasureNotice, service);
            }
        }

        foreach (var planned in TaskNotices(previous, next))
        {
            yield return planned;
        }
    }

    /// <summary>Every delivery the state has ever asked for.</summary>
    public static IEnumerable<PlannedDelivery> All(VictimState victim) => Between(null, victim);

    /// <summary>The channels whose entitlement message is queued, to be handed to the sender; none while the crime is held.</summary>
    public static IEnumerable<Contact.Channel> Messages(VictimState victim) =>
        HoldRule.IsHeld(victim) ? [] : Contact.ChannelNames.InOrder.Where(c => victim.Contact[c].Status == MessageStatus.Queued);

    /// <summary>
    /// Rulebook 1.2 section 10: a task's notice once it is work (open and actionable), and its withdrawal notice once it is
    /// withdrawn, each once (by the task's id). A withdrawal notice for a task whose notice never reached the Unit sends
    /// nothing (<see cref="WithdrawalRule"/>); one raised and withdrawn in the same change is never notified at all.
    /// </summary>
    private static IEnumerable<PlannedDelivery> TaskNotices(VictimState? previous, VictimState next)
    {
        foreach (var task in next.Tasks.Tasks)
        {
            var before = previous?.Tasks.Find(task.Id);
            if (task is { IsOpen: true, Actionable: true } && before is not { IsOpen: true, Actionable: true })
            {
                yield return new(TaskNotice.KindOf(task.Kind), Rules.VictimCareUnit.Id, task.Id);
            }
            else if (task.State == TaskState.Withdrawn && (previous is null ? task.Actionable : before is { State: not TaskState.Withdrawn, Actionable: true }))
            {
                yield return new(DeliveryKind.TaskWithdrawn, Rules.VictimCareUnit.Id, task.Id);
            }
        }
    }
}
