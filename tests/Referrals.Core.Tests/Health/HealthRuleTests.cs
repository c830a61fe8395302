using System.Globalization;
using Referrals.Calendar;
using Referrals.Health;

namespace Referrals.Tests.Health;

/// <summary>The health check's rules: a timer is late past its schedule plus a grace; the records system is silent past a working-time limit.</summary>
public class HealthRuleTests
{
    private static readonly WorkingHours Hours = new(new WorkingDayCalendar(), new TimeOnly(8, 0), new TimeOnly(18, 0));
    private static readonly HealthLimits Limits = new(TimeSpan.FromMinutes(30), TimeSpan.FromHours(4), Hours);

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-12-07T10:02:30Z", "2026-12-07T10:05:00Z")]
    [InlineData("0 10 * * * *", "2026-12-07T10:10:00Z", "2026-12-07T11:10:00Z")]
    [InlineData("0 30 2 * * *", "2026-12-07T10:00:00Z", "2026-12-08T02:30:00Z")]
    [InlineData("*/15 * * * *", "2026-12-07T10:02:00Z", "2026-12-07T10:15:00Z")]
    public void A_schedule_is_read_as_the_Functions_host_reads_it_in_UTC(string expression, string after, string next) =>
        Assert.Equal(At(next), TimerSchedule.TryParse(expression)!.Next(At(after)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("every five minutes")]
    [InlineData("0 */5 * * * * *")]
    public void What_is_not_a_schedule_is_refused(string? expression) =>
        Assert.Null(TimerSchedule.TryParse(expression));

    [Theory]
    [InlineData("2026-12-04T16:00:00Z", "2026-12-07T09:00:00Z", 3 * 60)] // Friday 16:00 to Monday 09:00: 2 h + 1 h
    [InlineData("2026-12-05T09:00:00Z", "2026-12-06T17:00:00Z", 0)] // a weekend
    [InlineData("2026-12-24T17:00:00Z", "2026-12-29T10:00:00Z", 3 * 60)] // Christmas Day and the substitute Boxing Day (Monday 28) are not working days
    [InlineData("2026-10-05T06:30:00Z", "2026-10-05T08:00:00Z", 60)] // 07:30 to 09:00 British Summer Time: the day opens at 08:00 London time
    [InlineData("2026-12-07T19:00:00Z", "2026-12-08T07:59:00Z", 0)] // a night
    [InlineData("2026-12-07T12:00:00Z", "2026-12-07T11:00:00Z", 0)] // backwards: nothing
    public void Working_time_counts_only_London_working_hours_of_working_days(string from, string to, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), Hours.Between(At(from), At(to)));

    [Fact]
    public void A_timer_is_late_once_its_next_run_plus_the_grace_has_passed_without_a_completed_run()
    {
        var timer = new WatchedTimer("ReportDeadLetters", "DEAD_LETTER_REPORT_SCHEDULE", "0 */5 * * * *",
            new TimerBeat(At("2026-12-01T00:00:00Z"), At("2026-12-07T10:00:00Z"), At("2026-12-07T10:00:00Z"), "succeeded", "rejected 0, poison 1"));

        var onTime = HealthRule.Timer(At("2026-12-07T10:34:59Z"), timer, Limits.TimerGrace);
        var late = HealthRule.Timer(At("2026-12-07T10:36:00Z"), timer, Limits.TimerGrace);

        Assert.True(onTime.Healthy, onTime.Detail);
        Assert.Equal("timer ReportDeadLetters", onTime.Name);
        Assert.Contains("last completed 2026-12-07T10:00:00Z (rejected 0, poison 1); next due by 2026-12-07T10:05:00Z", onTime.Detail, StringComparison.Ordinal);
        Assert.False(late.Healthy);
        Assert.StartsWith("late: last completed 2026-12-07T10:00:00Z", late.Detail, StringComparison.Ordinal);
        Assert.Contains("due again by 2026-12-07T10:05:00Z (schedule '0 */5 * * * *' UTC) and not done 31 min later, past the grace of 30 min", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_that_runs_but_keeps_failing_is_late_and_says_how_its_last_run_ended()
    {
        var timer = new WatchedTimer("CheckNotifyStatuses", "NOTIFY_STATUS_SCHEDULE", "0 */15 * * * *",
            new TimerBeat(null, At("2026-12-07T11:45:00Z"), At("2026-12-07T10:00:00Z"), "failed (RequestFailedException)", null));

        var check = HealthRule.Timer(At("2026-12-07T11:50:00Z"), timer, Limits.TimerGrace);

        Assert.False(check.Healthy);
        Assert.EndsWith("; last ran 2026-12-07T11:45:00Z: failed (RequestFailedException)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_that_never_completed_is_judged_from_when_watching_began()
    {
        var timer = new WatchedTimer("PurgePersonalData", "RETENTION_SCHEDULE", "0 30 2 * * *", new TimerBeat(At("2026-12-07T10:00:00Z"), null, null, null, null));

        var first = HealthRule.Timer(At("2026-12-08T02:59:00Z"), timer, Limits.TimerGrace);
        var late = HealthRule.Timer(At("2026-12-08T03:01:00Z"), timer, Limits.TimerGrace);

        Assert.True(first.Healthy, first.Detail);
        Assert.False(late.Healthy);
        Assert.Contains("never completed since watching began 2026-12-07T10:00:00Z", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_without_a_heartbeat_row_is_watched_from_now_and_one_without_a_schedule_is_unhealthy()
    {
        var unwatched = HealthRule.Timer(At("2026-12-07T10:00:00Z"), new WatchedTimer("ReportDeadLetters", "DEAD_LETTER_REPORT_SCHEDULE", "0 */5 * * * *", null), Limits.TimerGrace);
        var unscheduled = HealthRule.Timer(At("2026-12-07T10:00:00Z"), new WatchedTimer("ReportDeadLetters", "DEAD_LETTER_REPORT_SCHEDULE", "", null), Limits.TimerGrace);

        Assert.True(unwatched.Healthy);
        Assert.Equal("watched from now; first due by 2026-12-07T10:05:00Z", unwatched.Detail);
        Assert.False(unscheduled.Healthy);
        Assert.Contains("DEAD_LETTER_REPORT_SCHEDULE", unscheduled.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-05T15:00:00Z", true)] // Saturday: Friday's 2 h only
    [InlineData("2026-12-07T09:59:00Z", true)] // Monday 09:59: 2 h + 1 h 59 min
    [InlineData("2026-12-07T10:01:00Z", false)] // Monday 10:01: 2 h + 2 h 1 min
    public void The_records_system_is_silent_after_more_working_time_than_allowed_without_a_snapshot(string now, bool healthy)
    {
        var check = HealthRule.RecordsSystem(At(now), new RecordsSystemBeat(At("2026-11-01T00:00:00Z"), At("2026-12-04T16:00:00Z")), Limits);

        Assert.Equal("records system", check.Name);
        Assert.Equal(healthy, check.Healthy);
        Assert.StartsWith(healthy ? "last snapshot 2026-12-04T16:00:00Z" : "silent: last snapshot 2026-12-04T16:00:00Z, 4 h 1 min of working time ago, more than the 4 h allowed", check.Detail, StringComparison.Ordinal);
        Assert.EndsWith("working hours 08:00-18:00 Europe/London on working days)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_records_system_that_never_sent_is_judged_from_when_watching_began()
    {
        var check = HealthRule.RecordsSystem(At("2026-12-08T13:00:00Z"), new RecordsSystemBeat(At("2026-12-07T16:00:00Z"), null), Limits);

        Assert.False(check.Healthy);
        Assert.StartsWith("silent: no snapshot since watching began 2026-12-07T16:00:00Z, 7 h of working time ago", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_timer_and_the_records_system_are_checked()
    {
        var checks = HealthRule.Check(At("2026-12-07T10:00:00Z"),
            [new WatchedTimer("A", "A_SCHEDULE", "0 */5 * * * *", null), new WatchedTimer("B", "B_SCHEDULE", "0 */5 * * * *", null)],
            new RecordsSystemBeat(null, null), Limits);

        Assert.Equal(["timer A", "timer B", "records system"], checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Healthy));
    }
}
