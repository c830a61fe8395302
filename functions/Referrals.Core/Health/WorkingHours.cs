using Referrals.Calendar;

namespace Referrals.Health;

/// <summary>
/// The hours in which silence from the records system means something: from <see cref="Start"/> to <see cref="End"/>,
/// Europe/London time, on working days of the project's calendar (no weekends, England and Wales bank holidays, a
/// force's extra holidays). A quiet night, weekend or bank holiday is normal; a quiet working morning is not.
/// </summary>
public sealed record WorkingHours(WorkingDayCalendar Calendar, TimeOnly Start, TimeOnly End)
{
    /// <summary>How much working time lies between two instants (none when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public TimeSpan Between(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        if (to <= from || End <= Start)
        {
            return total;
        }

        for (var day = London.DateOf(from); day <= London.DateOf(to); day = day.AddDays(1))
        {
            if (!Calendar.IsWorkingDay(day))
            {
                continue;
            }

            var open = Max(from, London.At(day, Start));
            var close = Min(to, London.At(day, End));
            total += close > open ? close - open : TimeSpan.Zero;
        }

        return total;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
