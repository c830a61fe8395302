using Referrals.Calendar;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Calendar;

/// <summary>Rulebook section 7: due within 2 working days of the London date of recording.</summary>
public class DeadlineTests
{
    private static DateOnly DueBy(string recordedAt) =>
        Decide(Snapshot("28E", recordedAt: DateTimeOffset.Parse(recordedAt, System.Globalization.CultureInfo.InvariantCulture))).ReferralDueBy;

    [Fact]
    public void Recorded_on_Christmas_Eve_2026_is_due_on_30_December() =>
        Assert.Equal(new DateOnly(2026, 12, 30), DueBy("2026-12-24T10:00:00+00:00"));

    [Theory]
    [InlineData("2026-10-05T08:50:00+01:00", "2026-10-07")] // Monday → Wednesday
    [InlineData("2026-10-08T12:00:00+01:00", "2026-10-12")] // Thursday → Monday, over the weekend
    [InlineData("2026-10-10T12:00:00+01:00", "2026-10-13")] // Saturday → Tuesday
    [InlineData("2026-04-02T12:00:00+01:00", "2026-04-08")] // Thursday before Easter → Wednesday after
    [InlineData("2026-08-28T12:00:00+01:00", "2026-09-02")] // Friday before the summer bank holiday
    [InlineData("2027-12-23T12:00:00+00:00", "2027-12-29")] // Christmas on a Saturday: substitutes 27 and 28
    [InlineData("2026-12-31T12:00:00+00:00", "2027-01-05")] // New Year's Day
    public void Weekends_and_bank_holidays_are_not_working_days(string recordedAt, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DueBy(recordedAt));

    [Fact]
    public void The_deadline_runs_from_the_London_date_not_the_UTC_date() =>
        // 23:30 UTC on Friday 9 October is 00:30 on Saturday 10 October in London (BST).
        Assert.Equal(new DateOnly(2026, 10, 13), DueBy("2026-10-09T23:30:00+00:00"));

    [Fact]
    public void A_force_can_add_a_holiday_by_configuration()
    {
        var calendar = new WorkingDayCalendar([new DateOnly(2026, 10, 6)]);
        Assert.Equal(new DateOnly(2026, 10, 8), calendar.AddWorkingDays(new DateOnly(2026, 10, 5), 2));
    }

    [Fact]
    public void London_dates_follow_the_clock_change()
    {
        Assert.Equal(new DateOnly(2026, 3, 29), London.DateOf(new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 7, 2), London.DateOf(new DateTimeOffset(2026, 7, 1, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 12, 1), London.DateOf(new DateTimeOffset(2026, 12, 1, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void London_dates_in_the_first_year_are_kept() =>
        Assert.Equal(new DateOnly(1, 6, 1), London.DateOf(new DateTimeOffset(1, 6, 1, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void London_dates_of_the_first_and_last_instants_never_throw()
    {
        Assert.Equal(DateOnly.MinValue, London.DateOf(DateTimeOffset.MinValue));
        Assert.Equal(DateOnly.MaxValue, London.DateOf(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void A_deadline_past_the_end_of_the_calendar_is_its_last_day()
    {
        var calendar = new WorkingDayCalendar();
        Assert.Equal(DateOnly.MaxValue, calendar.AddWorkingDays(new DateOnly(9999, 12, 30), 2));
        Assert.Equal(DateOnly.MaxValue, calendar.AddWorkingDays(DateOnly.MaxValue, 2));
    }
}
