using Referrals.Forwarding;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>The tally events of a delivery's result, each keyed by the delivery id so counting twice changes nothing.</summary>
public static class DeliveryTallyRule
{
    public static IEnumerable<TallyEvent> Delivered(DeliveryState delivery)
    {
        var (month, id) = (delivery.Month, delivery.Id);
        switch (delivery.Kind)
        {
            case DeliveryKind.Referral:
                yield return new TallyEvent(month, TallyCategories.ReferralsDelivered, id);
                yield return new TallyEvent(month, TallyCategories.DeliveredTo(delivery.ServiceId), id);
                if (delivery.OnTime is { } onTime)
                {
                    yield return new TallyEvent(month, onTime ? TallyCategories.ReferralsOnTime : TallyCategories.ReferralsLate, id);
                }

                break;
            case DeliveryKind.Withdrawal:
                yield return new TallyEvent(month, TallyCategories.WithdrawalNotices, id);
                break;
            default:
                yield return new TallyEvent(month, TallyCategories.VcuTasksDelivered, id);
                break;
        }
    }

    public static TallyEvent Failed(DeliveryState delivery) => new(delivery.Month, TallyCategories.ReferralsFailed, delivery.Id);
}
