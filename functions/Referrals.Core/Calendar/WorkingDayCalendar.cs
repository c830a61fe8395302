using System.Collections.Concurrent;

namespace Referrals.Calendar;

/// <summary>Working days in England and Wales: not a Saturday, a Sunday or a bank holiday.</summary>
public sealed class WorkingDayCalendar(IEnumerable<DateOnly>? extraHolidays = null)
{
    private readonly HashSet<DateOnly> _extraHolidays = [.. extraHolidays ?? []];
    private readonly ConcurrentDictionary<int, IReadOnlySet<DateOnly>> _byYear = new();

    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
        && !_byYear.GetOrAdd(day.Year, EnglandAndWalesBankHolidays.For).Contains(day)
        && !_extraHolidays.Contains(day);

    /// <summary>
    /// The date <paramref name="workingDays"/> working days after <paramref name="from"/>, not counting
    /// <paramref name="from"/> itself; <see cref="DateOnly.MaxValue"/> when that lies past the calendar's end.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly from, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        var day = from;
        for (var counted = 0; counted < workingDays;)
        {
            if (day == DateOnly.MaxValue)
            {
                return day;
            }

            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }

        return day;
    }

    /// <summary>
    /// How many working days after <paramref name="from"/> something done on <paramref name="to"/> was done, counted as a
    /// deadline is: on or before <paramref name="from"/> (clock skew included) 0; by the end of the nth working day after
    /// it n, so a weekend or bank holiday counts as the working day after it; at most <paramref name="atMost"/>.
    /// The least n with <paramref name="to"/> on or before <see cref="AddWorkingDays"/>(<paramref name="from"/>, n).
    /// </summary>
    public int WorkingDaysTo(DateOnly from, DateOnly to, int atMost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(atMost);
        if (to <= from || atMost == 0)
        {
            return 0;
        }

        var days = 1;
        for (var day = from.AddDays(1); day < to && days < atMost; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                days++;
            }
        }

        return days;
    }
}
