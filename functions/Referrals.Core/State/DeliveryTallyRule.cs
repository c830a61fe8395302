using Referrals.Forwarding;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>
/// The tally events of a delivery's result, each keyed by the delivery id so counting twice changes nothing. On-time,
/// late, failed and withdrawal events carry the service, so they are counted per service as well (<see cref="TallyCategories.PerService"/>).
/// </summary>
public static class DeliveryTallyRule
{
    public static IEnumerable<TallyEvent> Delivered(DeliveryState delivery)
    {
        var (month, id, service) = (delivery.Month, delivery.Id, delivery.ServiceId);
        switch (delivery.Kind)
        {
            case DeliveryKind.Referral:
                yield return new TallyEvent(month, TallyCategories.ReferralsDelivered, id);
                yield return new TallyEvent(month, TallyCategories.DeliveredTo(delivery.ServiceId), id);
                if (delivery.OnTime is { } onTime)
                {
                    yield return new TallyEvent(month, onTime ? TallyCategories.ReferralsOnTime : TallyCategories.ReferralsLate, id, service);
                }

                break;
            case DeliveryKind.Withdrawal:
                yield return new TallyEvent(month, TallyCategories.WithdrawalNotices, id, service);
                break;
            case DeliveryKind.TaskWithdrawn or DeliveryKind.ErasureNotice:
                break; // The task figures count withdrawn tasks from the tasks themselves.
            default:
                yield return new TallyEvent(month, TallyCategories.VcuTasksDelivered, id);
                break;
        }
    }

    public static TallyEvent Failed(DeliveryState delivery) => new(delivery.Month, TallyCategories.ReferralsFailed, delivery.Id, delivery.ServiceId);
}
