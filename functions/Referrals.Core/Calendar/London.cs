using NodaTime;
using NodaTime.Extensions;

namespace Referrals.Calendar;

/// <summary>Europe/London dates, from the IANA database shipped inside NodaTime (no dependency on the host's tzdata).</summary>
public static class London
{
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/London"];

    public static DateOnly DateOf(DateTimeOffset instant) =>
        instant.ToInstant().InZone(Zone).Date.ToDateOnly();

    /// <summary>The first instant of a London date, for month boundaries and the like.</summary>
    public static DateTimeOffset StartOf(DateOnly date) =>
        LocalDate.FromDateOnly(date).AtStartOfDayInZone(Zone).ToDateTimeOffset();
}
