namespace Referrals.Pipeline.Health;

/// <summary>
/// The health endpoint's limits (docs/operations.md, "Health"). Not validated at start-up: a wrong value makes the
/// health endpoint answer 503 naming it, and never stops the queues and timers.
/// </summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long after a timer's next scheduled time its run may still be missing before the timer counts as late: longer than its longest run.</summary>
    public TimeSpan TimerGrace { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The force's own limit: how many working hours the records system may send nothing before it counts as silent.</summary>
    public int RecordsSystemSilenceWorkingHours { get; set; } = 4;

    /// <summary>When the working day opens and closes, Europe/London time, on working days of the calendar.</summary>
    public TimeOnly WorkingDayStart { get; set; } = new(8, 0);

    public TimeOnly WorkingDayEnd { get; set; } = new(18, 0);

    /// <summary>Why these limits cannot be used, or null.</summary>
    public string? Problem() =>
        TimerGrace < TimeSpan.FromMinutes(1) || TimerGrace > TimeSpan.FromDays(1) ? $"{Section}:{nameof(TimerGrace)} must be from 00:01:00 to 1.00:00:00"
        : RecordsSystemSilenceWorkingHours is < 1 or > 200 ? $"{Section}:{nameof(RecordsSystemSilenceWorkingHours)} must be a whole number from 1 to 200"
        : WorkingDayStart >= WorkingDayEnd ? $"{Section}:{nameof(WorkingDayStart)} must be before {nameof(WorkingDayEnd)}"
        : null;
}
