using NodaTime;
using NodaTime.Extensions;

namespace Referrals.Calendar;

/// <summary>Europe/London dates, from the IANA database shipped inside NodaTime (no dependency on the host's tzdata).</summary>
public static class London
{
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/London"];

    /// <summary>The Europe/London date of an instant; clamped to <see cref="DateOnly"/>'s range, so it never throws.</summary>
    public static DateOnly DateOf(DateTimeOffset instant)
    {
        // London's local mean time (-0:01:15) puts the first instant .NET knows on a day before 0001-01-01.
        var date = instant.ToInstant().InZone(Zone).Date;
        return date.Year < 1 ? DateOnly.MinValue : date.ToDateOnly();
    }

    /// <summary>
    /// The instant the London clock shows <paramref name="time"/> on <paramref name="date"/>: in the hour skipped in
    /// spring, the first instant after it; in the hour repeated in autumn, the first of the two.
    /// </summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time) =>
        date.ToLocalDate().At(time.ToLocalTime()).InZoneLeniently(Zone).ToDateTimeOffset();
}
