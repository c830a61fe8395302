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
}
