using NodaTime;
using NodaTime.Extensions;

namespace Referrals.Calendar;

/// <summary>Europe/London dates, from the IANA database shipped inside NodaTime (no dependency on the host's tzdata).</summary>
public static class London
{
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/London"];

    public static DateOnly DateOf(DateTimeOffset instant) =>
        instant.ToInstant().InZone(Zone).Date.ToDateOnly();
}
