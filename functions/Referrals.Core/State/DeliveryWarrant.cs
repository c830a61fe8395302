using Referrals.Forwarding;

namespace Referrals.State;

/// <summary>Whether a delivery is still warranted by the victim's current state: checked when its turn comes, so consent withdrawn meanwhile is honoured.</summary>
public static class DeliveryWarrant
{
    /// <summary>Null when the state still asks for this delivery, else why not.</summary>
    public static string? WhyNot(DeliveryKind kind, ReferralStatus status)
    {
        var warranted = kind switch
        {
            DeliveryKind.Referral => ReferralStatusRule.IsReferred(status),
            DeliveryKind.Withdrawal => status == ReferralStatus.Withdrawn,
            DeliveryKind.SingleSessionOffer => status == ReferralStatus.Declined,
            DeliveryKind.ConsentRequest => status == ReferralStatus.AwaitingConsent,
            DeliveryKind.ContactNeeded or DeliveryKind.ServiceCouldNotContact => true,
            DeliveryKind.TaskWithdrawn => false,
            DeliveryKind.ErasureNotice => true,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return warranted ? null : $"no longer warranted: the victim is now {status}";
    }

    /// <summary>
    /// As <see cref="WhyNot(DeliveryKind, ReferralStatus)"/>, on the victim's whole state: nothing is warranted while the
    /// crime is held (the delivery waits, and is handed on again when the hold is lifted), and a ContactNeeded task is
    /// not once the information was delivered.
    /// </summary>
    /// <param name="taskId">A Victim Care Unit task's notice: warranted while the task is open (its withdrawal notice: once it is withdrawn).</param>
    public static string? WhyNot(DeliveryKind kind, VictimState victim, string? taskId = null) =>
        taskId is not null ? Tasks.TaskNotice.WhyNot(kind, victim.Tasks.Find(taskId))
        : kind == DeliveryKind.ContactNeeded && Contact.ChannelNames.InOrder.Any(c => ContactRule.Of(victim, c) == ChannelProgress.Delivered)
            ? "no longer warranted: the victim has been sent the information"
            : WhyNot(kind, victim.ReferralStatus);

    /// <summary>
    /// Whether a delivery goes when its turn comes: null when it does, else the status it is left at and why. While the
    /// crime is held (<see cref="HoldRule"/>) it waits, Pending and unsent, and the snapshot that lifts the hold hands it
    /// on again; one no longer warranted is Cancelled.
    /// </summary>
    /// <param name="taskId">A Victim Care Unit task's notice or withdrawal notice: the task.</param>
    public static (DeliveryStatus Status, string Reason)? NotSent(DeliveryKind kind, VictimState victim, string? taskId = null) =>
        HoldRule.IsHeld(victim) ? (DeliveryStatus.Pending, HoldRule.Reason)
        : WhyNot(kind, victim, taskId) is { } reason ? (DeliveryStatus.Cancelled, reason)
        : null;
}
