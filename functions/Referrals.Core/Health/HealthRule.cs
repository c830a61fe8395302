using System.Globalization;

namespace Referrals.Health;

/// <summary>What a timer's heartbeat row says: when it was first watched, when it last ran and last completed, and how.</summary>
/// <param name="LastOutcome">"succeeded", or "failed (ExceptionType)": never an exception's message.</param>
/// <param name="LastSummary">What the last completed run did, in counts (no personal data).</param>
public sealed record TimerBeat(DateTimeOffset? WatchedSince, DateTimeOffset? LastRunAt, DateTimeOffset? LastCompletedAt, string? LastOutcome, string? LastSummary);

/// <summary>A timer the health check watches: its function, the setting its schedule comes from, and its heartbeat (null: none yet).</summary>
public sealed record WatchedTimer(string Name, string ScheduleSetting, string? Schedule, TimerBeat? Beat);

/// <summary>What the health check knows of the records system: the last snapshot taken from the queue, and since when it has watched.</summary>
public sealed record RecordsSystemBeat(DateTimeOffset? WatchedSince, DateTimeOffset? LastSnapshotAt);

/// <summary>The limits: how late a timer may be, and how much working time the records system may stay silent.</summary>
public sealed record HealthLimits(TimeSpan TimerGrace, TimeSpan RecordsSystemSilence, WorkingHours WorkingHours);

/// <summary>One check: its name, whether it passed, and why (times, schedules and counts; never personal data).</summary>
public sealed record HealthCheck(string Name, bool Healthy, string Detail);

/// <summary>
/// Whether the pipeline is alive, computed on request from the heartbeats (docs/operations.md): every timer completed a
/// run no later than its schedule's next time after the previous one plus a grace, and the records system sent a
/// snapshot within the allowed working time. Pure: the caller reads the rows and the clock.
/// </summary>
public static class HealthRule
{
    public static IReadOnlyList<HealthCheck> Check(DateTimeOffset now, IEnumerable<WatchedTimer> timers, RecordsSystemBeat records, HealthLimits limits) =>
        [.. timers.Select(t => Timer(now, t, limits.TimerGrace)), RecordsSystem(now, records, limits)];

    public static HealthCheck Timer(DateTimeOffset now, WatchedTimer timer, TimeSpan grace)
    {
        var name = $"timer {timer.Name}";
        if (TimerSchedule.TryParse(timer.Schedule) is not { } schedule)
        {
            return new(name, false, $"its schedule setting {timer.ScheduleSetting} is missing or not an NCRONTAB expression, so the host cannot run it");
        }

        var beat = timer.Beat;
        if (beat?.LastCompletedAt is null && beat?.WatchedSince is null)
        {
            return new(name, true, $"watched from now; first due by {Time(schedule.Next(now))}");
        }

        var since = beat.LastCompletedAt ?? beat.WatchedSince!.Value;
        var due = schedule.Next(since);
        var done = beat.LastCompletedAt is { } completed
            ? $"last completed {Time(completed)}{(string.IsNullOrEmpty(beat.LastSummary) ? "" : $" ({beat.LastSummary})")}"
            : $"never completed since watching began {Time(since)}";
        var failed = beat.LastRunAt is { } ran && ran > since && beat.LastOutcome is { } outcome && outcome != "succeeded"
            ? $"; last ran {Time(ran)}: {outcome}"
            : string.Empty;
        return now > due + grace
            ? new(name, false, $"late: {done}; due again by {Time(due)} (schedule '{schedule.Expression}' UTC) and not done {Duration(now - due)} later, past the grace of {Duration(grace)}{failed}")
            : new(name, true, $"{done}; next due by {Time(due)}{failed}");
    }

    public static HealthCheck RecordsSystem(DateTimeOffset now, RecordsSystemBeat records, HealthLimits limits)
    {
        const string Name = "records system";
        var hours = limits.WorkingHours;
        var window = $"working hours {Clock(hours.Start)}-{Clock(hours.End)} Europe/London on working days";
        if (records.LastSnapshotAt is null && records.WatchedSince is null)
        {
            return new(Name, true, "watched from now");
        }

        var since = records.LastSnapshotAt ?? records.WatchedSince!.Value;
        var heard = records.LastSnapshotAt is { } last ? $"last snapshot {Time(last)}" : $"no snapshot since watching began {Time(since)}";
        var silence = hours.Between(since, now);
        return silence > limits.RecordsSystemSilence
            ? new(Name, false, $"silent: {heard}, {WorkingTime(silence)} of working time ago, more than the {WorkingTime(limits.RecordsSystemSilence)} allowed ({window})")
            : new(Name, true, $"{heard}, {WorkingTime(silence)} of working time ago (at most {WorkingTime(limits.RecordsSystemSilence)}; {window})");
    }

    public static string Time(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Working time in hours and minutes ("30 h 5 min"), never days: a working day is not 24 hours.</summary>
    public static string WorkingTime(TimeSpan span)
    {
        if (span < TimeSpan.FromHours(1))
        {
            return Duration(span);
        }

        var hours = string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h");
        return span.Minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours} {span.Minutes} min") : hours;
    }

    private static string Clock(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"4 h 35 min", "12 min", "2 d 3 h": minutes rounded down.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return span <= TimeSpan.Zero ? "0 min" : "under a minute";
        }

        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Days} d"));
        }

        if (span.Hours > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Hours} h"));
        }

        if (span.Minutes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min"));
        }

        return string.Join(' ', parts);
    }
}
