using Referrals.Calendar;
using Referrals.State;

namespace Referrals.Deadlines;

/// <summary>Where a referral stands against its deadline: not yet at risk (or not watched), at risk, or late.</summary>
public enum DeadlineStanding
{
    /// <summary>Delivered, not decided, held, or its at-risk time has not come: nothing to say.</summary>
    Fine,

    /// <summary>Not delivered by the set time on the working day before it is due.</summary>
    AtRisk,

    /// <summary>Not delivered by the end of the day it was due.</summary>
    Late,
}

/// <summary>What is known of one referral: its victim's decision now (null: the victim row is gone) and its delivery's status (null: no delivery row yet).</summary>
public sealed record ReferralFacts(DateOnly DueBy, ReferralStatus? Decision, bool Referred, bool Held, DeliveryStatus? Delivery);

/// <summary>A referral's standing and why (codes and dates only: never personal data).</summary>
public sealed record DeadlineVerdict(DeadlineStanding Standing, string Reason);

/// <summary>
/// Issue 29's deadline watch (rulebook 1.2 section 7: a referral is due within 2 working days): a referral decided
/// (AutoReferred, Referred, ConvertedToYes), not held, whose delivery is not Delivered by a set time (12:00 Europe/London by
/// default) on the working day before it is due is at risk; from the day after it is due, late. Pure: the caller reads the
/// rows and the clock, and counts a notice once per referral.
/// </summary>
public static class DeadlineRule
{
    /// <summary>The decisions that send a referral.</summary>
    public static bool Decided(ReferralStatus? status) => status is ReferralStatus.AutoReferred or ReferralStatus.Referred or ReferralStatus.ConvertedToYes;

    /// <summary>The working day before <paramref name="dueBy"/> (a weekend or bank holiday before it is skipped).</summary>
    public static DateOnly WorkingDayBefore(DateOnly dueBy, WorkingDayCalendar calendar)
    {
        var day = dueBy.AddDays(-1);
        for (var tries = 0; tries < 31 && !calendar.IsWorkingDay(day); tries++)
        {
            day = day.AddDays(-1);
        }

        return day;
    }

    /// <summary>The instant a referral due by <paramref name="dueBy"/> becomes at risk: <paramref name="warnAt"/> Europe/London on the working day before.</summary>
    public static DateTimeOffset AtRiskFrom(DateOnly dueBy, WorkingDayCalendar calendar, TimeOnly warnAt) =>
        London.At(WorkingDayBefore(dueBy, calendar), warnAt);

    /// <summary>The first instant a referral due by <paramref name="dueBy"/> is late: midnight Europe/London after the day it is due.</summary>
    public static DateTimeOffset LateFrom(DateOnly dueBy) => Indexes.IndexRule.LateFrom(dueBy);

    /// <summary>The latest due date that can be at risk at <paramref name="now"/>: the next working day after today (a watch reads up to it, nothing later).</summary>
    public static DateOnly LatestAtRisk(DateTimeOffset now, WorkingDayCalendar calendar) => calendar.AddWorkingDays(London.DateOf(now), 1);

    public static DeadlineVerdict Judge(DateTimeOffset now, ReferralFacts referral, WorkingDayCalendar calendar, TimeOnly warnAt)
    {
        var due = referral.DueBy.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (referral.Delivery == DeliveryStatus.Delivered)
        {
            return new(DeadlineStanding.Fine, "delivered");
        }

        if (!Decided(referral.Decision) || !referral.Referred)
        {
            return new(DeadlineStanding.Fine, referral.Decision is { } decision ? $"not decided for this service ({decision})" : "the victim's row is gone");
        }

        if (referral.Held)
        {
            return new(DeadlineStanding.Fine, "held (HoldContact)");
        }

        var delivery = referral.Delivery is { } status ? $"delivery {status}" : "no delivery yet";
        return now >= LateFrom(referral.DueBy) ? new(DeadlineStanding.Late, $"late: due by {due}, {delivery}")
            : now >= AtRiskFrom(referral.DueBy, calendar, warnAt) ? new(DeadlineStanding.AtRisk, $"at risk: due by {due}, {delivery}")
            : new(DeadlineStanding.Fine, $"due by {due}, not yet at risk");
    }
}
