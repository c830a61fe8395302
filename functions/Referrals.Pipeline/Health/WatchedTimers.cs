using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Health;

/// <summary>Every timer function and the setting its schedule comes from: each writes a heartbeat, and the health endpoint watches each (a test checks this is every timer of the Functions app).</summary>
public static class WatchedTimers
{
    public static IReadOnlyList<(string Function, string ScheduleSetting)> All { get; } =
    [
        ("AggregateMonthlyTallies", Settings.MonthlyTallySchedule),
        ("CheckNotifyStatuses", Settings.NotifyStatusSchedule),
        ("EscalateOverdueTasks", Settings.TaskEscalationSchedule),
        ("PurgePersonalData", Settings.RetentionSchedule),
        ("ReportDeadLetters", Settings.DeadLetterReportSchedule),
        ("WatchReferralDeadlines", Settings.DeadlineWatchSchedule),
    ];
}
