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
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return warranted ? null : $"no longer warranted: the victim is now {status}";
    }
}
