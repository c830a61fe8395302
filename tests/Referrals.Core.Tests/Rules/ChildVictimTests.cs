using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

public class ChildVictimTests
{
    [Fact]
    public void A_victim_who_turns_18_the_day_after_the_crime_is_a_child() =>
        Assert.Contains(Category.Child, Decide("28E", victim: Victim(dateOfBirth: new DateOnly(2008, 10, 6))).Categories);

    [Fact]
    public void A_victim_whose_18th_birthday_is_the_recorded_date_is_an_adult() =>
        Assert.DoesNotContain(Category.Child, Decide("28E", victim: Victim(dateOfBirth: new DateOnly(2008, 10, 5))).Categories);

    [Fact]
    public void A_victim_with_no_date_of_birth_is_an_adult() =>
        Assert.DoesNotContain(Category.Child, Decide("28E", victim: Victim(dateOfBirth: null)).Categories);

    [Fact]
    public void Age_is_taken_on_the_London_date_of_recording_not_the_UTC_date()
    {
        // 00:30 on 6 October in London is still 5 October in UTC.
        var recorded = new DateTimeOffset(2026, 10, 5, 23, 30, 0, TimeSpan.Zero);
        var snapshot = Snapshot("28E", recordedAt: recorded, victims: Victim(dateOfBirth: new DateOnly(2008, 10, 6)));
        Assert.DoesNotContain(Category.Child, Decide(snapshot).Categories);
    }

    [Theory]
    [InlineData(9999, 12, 31, true)]
    [InlineData(9990, 1, 1, true)]
    [InlineData(1, 1, 1, false)]
    public void IsChild_never_throws_whatever_the_date_of_birth(int year, int month, int day, bool child) =>
        Assert.Equal(child, Referrals.Rules.ReferralRules.IsChild(Victim(dateOfBirth: new DateOnly(year, month, day)), new DateOnly(2026, 10, 5)));

    [Fact]
    public void A_victim_whose_18th_birthday_is_the_calendars_last_day_is_an_adult_on_it() =>
        Assert.False(Referrals.Rules.ReferralRules.IsChild(Victim(dateOfBirth: new DateOnly(9981, 12, 31)), DateOnly.MaxValue));

    [Fact]
    public void A_decision_says_whether_the_victim_is_a_child()
    {
        Assert.True(Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate)).IsChild);
        Assert.False(Decide("28E", victim: Victim(dateOfBirth: new DateOnly(1990, 1, 1))).IsChild);
    }
}
