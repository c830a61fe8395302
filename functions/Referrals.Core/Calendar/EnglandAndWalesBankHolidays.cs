namespace Referrals.Calendar;

/// <summary>
/// England and Wales bank holidays by the standing rules (Banking and Financial Dealings Act 1971 and
/// the customary substitute days), plus the one-off changes proclaimed so far. New proclamations
/// are added to <see cref="OneOffChanges"/>, or by a force as extra holidays in configuration.
/// </summary>
public static class EnglandAndWalesBankHolidays
{
    /// <summary>Royal proclamations that moved or added a holiday: (the usual date or null, the actual date).</summary>
    private static readonly (DateOnly? Usual, DateOnly Actual)[] OneOffChanges =
    [
        (new DateOnly(1995, 5, 1), new DateOnly(1995, 5, 8)),   // VE Day 50th anniversary
        (new DateOnly(2002, 5, 27), new DateOnly(2002, 6, 4)),  // Golden Jubilee: spring holiday moved
        (null, new DateOnly(2002, 6, 3)),
        (null, new DateOnly(1999, 12, 31)),                     // Millennium
        (null, new DateOnly(2011, 4, 29)),                      // Royal wedding
        (new DateOnly(2012, 5, 28), new DateOnly(2012, 6, 4)),  // Diamond Jubilee: spring holiday moved
        (null, new DateOnly(2012, 6, 5)),
        (new DateOnly(2020, 5, 4), new DateOnly(2020, 5, 8)),   // VE Day 75th anniversary
        (new DateOnly(2022, 5, 30), new DateOnly(2022, 6, 2)),  // Platinum Jubilee: spring holiday moved
        (null, new DateOnly(2022, 6, 3)),
        (null, new DateOnly(2022, 9, 19)),                      // State funeral of Queen Elizabeth II
        (null, new DateOnly(2023, 5, 8)),                       // Coronation of King Charles III
    ];

    public static IReadOnlySet<DateOnly> For(int year)
    {
        var holidays = new HashSet<DateOnly>();
        AddWithSubstitute(holidays, new DateOnly(year, 1, 1));

        var easter = EasterSunday(year);
        holidays.Add(easter.AddDays(-2));
        holidays.Add(easter.AddDays(1));

        holidays.Add(FirstMonday(year, 5));
        holidays.Add(LastMonday(year, 5));
        holidays.Add(LastMonday(year, 8));

        // Christmas and Boxing Day that fall on weekdays are fixed first, so a substitute never lands on one.
        var christmas = new DateOnly(year, 12, 25);
        var boxingDay = new DateOnly(year, 12, 26);
        foreach (var day in new[] { christmas, boxingDay }.Where(IsWeekday))
        {
            holidays.Add(day);
        }

        foreach (var day in new[] { christmas, boxingDay }.Where(d => !IsWeekday(d)))
        {
            AddWithSubstitute(holidays, day);
        }

        foreach (var (usual, actual) in OneOffChanges.Where(c => c.Actual.Year == year))
        {
            if (usual is { } moved)
            {
                holidays.Remove(moved);
            }

            holidays.Add(actual);
        }

        return holidays;
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static void AddWithSubstitute(HashSet<DateOnly> holidays, DateOnly day)
    {
        var actual = day;
        while (!IsWeekday(actual) || holidays.Contains(actual))
        {
            actual = actual.AddDays(1);
        }

        holidays.Add(actual);
    }

    private static bool IsWeekday(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static DateOnly FirstMonday(int year, int month)
    {
        var day = new DateOnly(year, month, 1);
        while (day.DayOfWeek != DayOfWeek.Monday)
        {
            day = day.AddDays(1);
        }

        return day;
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var day = new DateOnly(year, month, 1).AddMonths(1).AddDays(-1);
        while (day.DayOfWeek != DayOfWeek.Monday)
        {
            day = day.AddDays(-1);
        }

        return day;
    }
}
