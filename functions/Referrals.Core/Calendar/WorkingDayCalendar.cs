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
}
