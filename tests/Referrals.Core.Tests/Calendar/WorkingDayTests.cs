using Referrals.Calendar;

namespace Referrals.Tests.Calendar;

/// <summary>Working days: not a weekend, an England and Wales bank holiday or a holiday the force adds.</summary>
public class WorkingDayTests
{
    private static readonly WorkingDayCalendar Calendar = new([new DateOnly(2026, 10, 6)]);

    [Theory]
    [InlineData("2026-10-05", true)]  // Monday
    [InlineData("2026-10-06", false)] // the force's extra holiday
    [InlineData("2026-10-09", true)]  // Friday
    [InlineData("2026-10-10", false)] // Saturday
    [InlineData("2026-10-11", false)] // Sunday
    [InlineData("2026-12-28", false)] // Boxing Day's substitute
    [InlineData("2027-10-06", true)]  // the extra holiday is a date, not a yearly one
    public void A_working_day_is_a_weekday_that_is_no_holiday(string day, bool working) =>
        Assert.Equal(working, Calendar.IsWorkingDay(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Adding_no_working_days_is_the_same_day_even_on_a_weekend() =>
        Assert.Equal(new DateOnly(2026, 10, 10), Calendar.AddWorkingDays(new DateOnly(2026, 10, 10), 0));

    [Fact]
    public void One_working_day_after_a_Friday_is_the_Monday() =>
        Assert.Equal(new DateOnly(2026, 10, 12), Calendar.AddWorkingDays(new DateOnly(2026, 10, 9), 1));

    [Fact]
    public void A_negative_number_of_working_days_is_refused()
    {
        var refusal = Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.AddWorkingDays(new DateOnly(2026, 10, 5), -1));

        Assert.Equal(("workingDays", -1), (refusal.ParamName, refusal.ActualValue));
    }
}
