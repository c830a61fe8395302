using Referrals.Rules;

namespace Referrals.State;

/// <summary>Rulebook section 3, across snapshots: this snapshot's decision in the light of the victim's history.</summary>
public static class ReferralStatusRule
{
    /// <summary>The status, and the reason when history changed it from this snapshot's decision.</summary>
    public static (ReferralStatus Status, string? Reason) Next(VictimState? previous, ReferralOutcome decision)
    {
        var now = Of(decision);
        return (previous?.ReferralStatus, now) switch
        {
            (ReferralStatus.Declined or ReferralStatus.ConvertedToYes, ReferralStatus.Referred) =>
                (ReferralStatus.ConvertedToYes, "declined support in an earlier version and accepted it now: ConvertedToYes"),
            (not null, ReferralStatus.Declined or ReferralStatus.OptedOut) when previous!.ReferredServices.Count > 0 =>
                (ReferralStatus.Withdrawn, "referred in an earlier version and declined now: Withdrawn, every service referred is told"),
            _ => (now, null),
        };
    }

    /// <summary>One snapshot's decision as a status, by name: the two enums need not share an order.</summary>
    public static ReferralStatus Of(ReferralOutcome decision) => decision switch
    {
        ReferralOutcome.AutoReferred => ReferralStatus.AutoReferred,
        ReferralOutcome.OptedOut => ReferralStatus.OptedOut,
        ReferralOutcome.AwaitingConsent => ReferralStatus.AwaitingConsent,
        ReferralOutcome.Referred => ReferralStatus.Referred,
        ReferralOutcome.Declined => ReferralStatus.Declined,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    /// <summary>Statuses under which the victim's referrals stand.</summary>
    public static bool IsReferred(ReferralStatus status) =>
        status is ReferralStatus.AutoReferred or ReferralStatus.Referred or ReferralStatus.ConvertedToYes;
}
