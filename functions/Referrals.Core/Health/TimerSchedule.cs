using NCrontab;

namespace Referrals.Health;

/// <summary>
/// A timer's NCRONTAB schedule, read with the parser the Functions host's timer trigger itself uses (NCrontab): six
/// fields with seconds first ("0 */5 * * * *"), or five without. Evaluated in UTC, as on Flex Consumption (no time zone).
/// </summary>
public sealed class TimerSchedule
{
    private readonly CrontabSchedule _schedule;

    private TimerSchedule(string expression, CrontabSchedule schedule)
    {
        Expression = expression;
        _schedule = schedule;
    }

    public string Expression { get; }

    /// <summary>The schedule, or null when <paramref name="expression"/> is not one (the host would refuse it too).</summary>
    public static TimerSchedule? TryParse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }

        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = false });
        return schedule is null ? null : new TimerSchedule(expression, schedule);
    }

    /// <summary>The first time the timer fires after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var next = _schedule.GetNextOccurrence(after.UtcDateTime, DateTime.MaxValue.AddYears(-1));
        return new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
