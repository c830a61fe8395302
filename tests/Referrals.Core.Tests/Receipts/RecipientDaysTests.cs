using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

/// <summary>
/// The recipient index's day partitions are emptied once no bounce can be matched to their emails (the window, the skew
/// and a day's margin after the day ends), oldest first, a bounded number a run, from the day after the last emptied.
/// </summary>
public class RecipientDaysTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 20, 2, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_day_is_past_matching_once_the_window_the_skew_and_a_days_margin_have_passed_since_it_ended()
    {
        // 2027-01-11 ended at 2027-01-12T00:00Z; 7 days, 5 minutes and a day later is 2027-01-20T00:05Z.
        Assert.Equal(new DateOnly(2027, 1, 11), RecipientDays.LastExpired(Now));
        Assert.Equal(new DateOnly(2027, 1, 10), RecipientDays.LastExpired(new DateTimeOffset(2027, 1, 20, 0, 4, 59, TimeSpan.Zero)));
        Assert.True(RecipientDays.IsExpired(new DateTimeOffset(2027, 1, 11, 23, 59, 59, TimeSpan.Zero), Now));
        Assert.False(RecipientDays.IsExpired(new DateTimeOffset(2027, 1, 12, 0, 0, 0, TimeSpan.Zero), Now));

        // Every email of an expired day is outside the window of any bounce from a day before now on.
        var latest = new DateTimeOffset(2027, 1, 11, 23, 59, 59, TimeSpan.Zero);
        var bounce = Now - RecipientDays.Margin;
        Assert.Equal(RecipientMatchOutcome.None, RecipientMatch.Of([new AwaitingEmail("DB/27/000001", "V1", latest)], bounce).Outcome);
    }

    [Fact]
    public void The_days_due_follow_the_last_one_emptied_oldest_first_through_the_newest_past_matching()
    {
        var (days, reason) = RecipientDays.Due(new DateOnly(2027, 1, 8), Now);

        Assert.Equal([new(2027, 1, 9), new(2027, 1, 10), new(2027, 1, 11)], days);
        Assert.Equal("days 2027-01-09 to 2027-01-11 are past matching: each ended more than the window (7 days), the skew (5 minutes) and a day's margin ago", reason);
    }

    [Fact]
    public void Nothing_is_due_when_every_day_past_matching_is_emptied_or_the_clock_stands_behind_the_cursor()
    {
        var (caughtUp, caughtUpReason) = RecipientDays.Due(new DateOnly(2027, 1, 11), Now);
        var (fresh, freshReason) = RecipientDays.Due(null, new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero));

        Assert.Empty(caughtUp);
        Assert.Equal("nothing due: every day through 2027-01-11 is emptied and 2027-01-12 is not yet past matching", caughtUpReason);
        Assert.Empty(RecipientDays.Due(new DateOnly(2027, 3, 1), Now).Days);
        Assert.Empty(fresh);
        Assert.Equal("nothing due: no day partition before 2026-12-07 exists and it is not yet past matching", freshReason);
    }

    [Fact]
    public void A_first_run_starts_at_the_first_day_partition_and_takes_a_bounded_number_of_days_the_rest_next_run()
    {
        var late = new DateTimeOffset(2027, 9, 1, 2, 30, 0, TimeSpan.Zero);

        var (first, reason) = RecipientDays.Due(null, late);
        var (second, _) = RecipientDays.Due(first[^1], late);

        Assert.Equal(RecipientDays.MaxDaysPerRun, first.Count);
        Assert.Equal(RecipientDays.FirstDay, first[0]);
        Assert.EndsWith($"; {(RecipientDays.LastExpired(late).DayNumber - RecipientDays.FirstDay.DayNumber + 1) - RecipientDays.MaxDaysPerRun} more day(s) next run", reason, StringComparison.Ordinal);
        Assert.Equal(first[^1].AddDays(1), second[0]);
        Assert.Equal(Enumerable.Range(0, first.Count + second.Count).Select(RecipientDays.FirstDay.AddDays), [.. first, .. second]);
    }
}
