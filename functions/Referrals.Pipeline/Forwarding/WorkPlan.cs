using Referrals.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Which deliveries a victim's state asks for: pure, so each rulebook transition is unit-tested. The ingestor
/// enqueues <see cref="Between"/> after a commit and <see cref="All"/> on a redelivery (a crash between commit
/// and enqueue loses nothing; the forwarder ignores what it has already done).
/// </summary>
public static class WorkPlan
{
    public static IEnumerable<ReferralWorkItem> Between(VictimStateEntity? previous, VictimStateEntity next, Month month)
    {
        var referredBefore = CommaList.Split(previous?.ReferredServices);
        foreach (var service in CommaList.Split(next.ReferredServices).Except(referredBefore))
        {
            yield return Item(DeliveryKind.Referral, next, service, month);
        }

        if (next.ReferralStatus == nameof(ReferralStatus.Withdrawn) && previous?.ReferralStatus != nameof(ReferralStatus.Withdrawn))
        {
            foreach (var service in CommaList.Split(next.ReferredServices))
            {
                yield return Item(DeliveryKind.Withdrawal, next, service, month);
            }
        }

        foreach (var task in CommaList.Split(next.VcuTasks).Except(CommaList.Split(previous?.VcuTasks)))
        {
            yield return Item(Enum.Parse<DeliveryKind>(task), next, VictimCareUnit.Id, month);
        }
    }

    /// <summary>Every delivery the state has ever asked for. The month is only used if the delivery row does not exist yet.</summary>
    public static IEnumerable<ReferralWorkItem> All(VictimStateEntity victim, Month month) => Between(null, victim, month);

    private static ReferralWorkItem Item(DeliveryKind kind, VictimStateEntity victim, string service, Month month) =>
        new(kind, victim.CrimeReference, victim.VictimId, service, month.ToString());
}
