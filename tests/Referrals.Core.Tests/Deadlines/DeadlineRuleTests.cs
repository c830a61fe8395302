using Referrals.Calendar;
using Referrals.Deadlines;
using Referrals.State;

namespace Referrals.Core.Tests.Deadlines;

public sealed class DeadlineRuleTests
{
    private static readonly WorkingDayCalendar Calendar = new();
    private static readonly TimeOnly Noon = new(12, 0);

    [Theory]
    [InlineData("2026-12-09", "2026-12-08T12:00:00Z")] // Wednesday: Tuesday noon (GMT)
    [InlineData("2026-12-07", "2026-12-04T12:00:00Z")] // Monday: the Friday before
    [InlineData("2026-12-29", "2026-12-24T12:00:00Z")] // 25 December, the weekend and 28 December (the Boxing Day substitute) skipped
    [InlineData("2026-07-15", "2026-07-14T11:00:00Z")] // summer time: noon in London is 11:00 UTC
    public void A_referral_is_at_risk_from_noon_London_on_the_working_day_before_it_is_due(string dueBy, string atRisk) =>
        Assert.Equal(DateTimeOffset.Parse(atRisk, System.Globalization.CultureInfo.InvariantCulture), DeadlineRule.AtRiskFrom(DateOnly.Parse(dueBy, System.Globalization.CultureInfo.InvariantCulture), Calendar, Noon));

    [Fact]
    public void The_set_time_is_a_setting()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 9, 30, 0, TimeSpan.Zero), DeadlineRule.AtRiskFrom(new DateOnly(2026, 12, 9), Calendar, new TimeOnly(9, 30)));
    }

    [Fact]
    public void The_latest_due_date_that_can_be_at_risk_is_the_next_working_day()
    {
        Assert.Equal(new DateOnly(2026, 12, 7), DeadlineRule.LatestAtRisk(new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero), Calendar)); // Friday → Monday
        Assert.Equal(new DateOnly(2026, 12, 29), DeadlineRule.LatestAtRisk(new DateTimeOffset(2026, 12, 24, 13, 0, 0, TimeSpan.Zero), Calendar));
    }

    public static TheoryData<string, ReferralStatus?, bool, bool, DeliveryStatus?, DeadlineStanding, string> Cases => new()
    {
        { "undelivered, one minute before noon", ReferralStatus.AutoReferred, true, false, null, DeadlineStanding.Fine, "due by 2026-12-09, not yet at risk" },
        { "undelivered at noon", ReferralStatus.AutoReferred, true, false, null, DeadlineStanding.AtRisk, "at risk: due by 2026-12-09, no delivery yet" },
        { "pending at noon", ReferralStatus.Referred, true, false, DeliveryStatus.Pending, DeadlineStanding.AtRisk, "at risk: due by 2026-12-09, delivery Pending" },
        { "failed at noon", ReferralStatus.ConvertedToYes, true, false, DeliveryStatus.Failed, DeadlineStanding.AtRisk, "at risk: due by 2026-12-09, delivery Failed" },
        { "delivered", ReferralStatus.AutoReferred, true, false, DeliveryStatus.Delivered, DeadlineStanding.Fine, "delivered" },
        { "held", ReferralStatus.AutoReferred, true, true, null, DeadlineStanding.Fine, "held (HoldContact)" },
        { "withdrawn since", ReferralStatus.Withdrawn, true, false, DeliveryStatus.Cancelled, DeadlineStanding.Fine, "not decided for this service (Withdrawn)" },
        { "awaiting consent", ReferralStatus.AwaitingConsent, false, false, null, DeadlineStanding.Fine, "not decided for this service (AwaitingConsent)" },
        { "another service's", ReferralStatus.AutoReferred, false, false, null, DeadlineStanding.Fine, "not decided for this service (AutoReferred)" },
        { "victim row gone", null, false, false, null, DeadlineStanding.Fine, "the victim's row is gone" },
        { "undelivered after its due date", ReferralStatus.AutoReferred, true, false, DeliveryStatus.Unconfirmed, DeadlineStanding.Late, "late: due by 2026-12-09, delivery Unconfirmed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_decided_referral_not_held_and_not_delivered_is_at_risk_then_late(string situation, ReferralStatus? decision, bool referred, bool held, DeliveryStatus? delivery, DeadlineStanding standing, string reason)
    {
        var now = situation switch
        {
            "undelivered, one minute before noon" => new DateTimeOffset(2026, 12, 8, 11, 59, 0, TimeSpan.Zero),
            "undelivered after its due date" => new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero),
        };

        var verdict = DeadlineRule.Judge(now, new ReferralFacts(new DateOnly(2026, 12, 9), decision, referred, held, delivery), Calendar, Noon);

        Assert.Equal((standing, reason), (verdict.Standing, verdict.Reason));
    }
}
