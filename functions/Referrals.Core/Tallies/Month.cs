using System.Globalization;
using Referrals.Calendar;

namespace Referrals.Tallies;

/// <summary>A calendar month in Europe/London, written yyyy-MM: the partition of tally events and the OPCC's unit.</summary>
public readonly record struct Month(int Year, int Number) : IComparable<Month>
{
    /// <summary>The first month of the contract's dates (sentAt and recordedAt from 2000-01-01).</summary>
    public static readonly Month Earliest = new(2000, 1);

    /// <summary>The last month of the contract's dates (sentAt and recordedAt to 2100-01-01).</summary>
    public static readonly Month Latest = new(2100, 1);

    public static Month Of(DateTimeOffset instant) => Of(London.DateOf(instant));

    /// <summary>The month itself, or the nearer end of the contract's range when it lies outside.</summary>
    public static Month Clamp(Month month) => month < Earliest ? Earliest : month > Latest ? Latest : month;

    public static Month Of(DateOnly date) => new(date.Year, date.Month);

    public static bool TryParse(string? text, out Month month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1 || number > 12
            || new Month(year, number) is var parsed && (parsed < Earliest || parsed > Latest))
        {
            return false;
        }

        month = parsed;
        return true;
    }

    public Month Next => Number == 12 ? new Month(Year + 1, 1) : new Month(Year, Number + 1);

    /// <summary>The month's last day (Europe/London).</summary>
    public DateOnly LastDay => new DateOnly(Year, Number, 1).AddMonths(1).AddDays(-1);

    public Month Previous => Number == 1 ? new Month(Year - 1, 12) : new Month(Year, Number - 1);

    public int CompareTo(Month other) => (Year, Number).CompareTo((other.Year, other.Number));

    public static bool operator <(Month left, Month right) => left.CompareTo(right) < 0;

    public static bool operator >(Month left, Month right) => left.CompareTo(right) > 0;

    public static bool operator <=(Month left, Month right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Month left, Month right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Number:00}");
}

/// <summary>
/// An inclusive range of months, as the OPCC asks for it (<c>from=2026-04&amp;to=2027-03</c>). It never
/// reaches outside the contract's dates (<see cref="Month.Earliest"/> to <see cref="Month.Latest"/>), so no
/// date in a message can make a report span centuries.
/// </summary>
public sealed record MonthRange(Month From, Month To)
{
    public const int MaxMonths = 36;

    public Month From { get; } = Month.Clamp(From);

    public Month To { get; } = Month.Clamp(To);

    public IEnumerable<Month> Months()
    {
        for (var month = From; month <= To; month = month.Next)
        {
            yield return month;
        }
    }

    /// <summary>Parses a request's months; <paramref name="error"/> says what is wrong, for a 400.</summary>
    public static MonthRange? TryParse(string? from, string? to, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to))
        {
            error = "Both 'from' and 'to' are required, as yyyy-MM months, e.g. from=2026-04&to=2027-03.";
            return null;
        }

        if (!Month.TryParse(from, out var start))
        {
            error = $"'from' must be a month written yyyy-MM (e.g. 2026-04), from 2000-01 to 2100-01; got '{Truncate(from)}'.";
            return null;
        }

        if (!Month.TryParse(to, out var end))
        {
            error = $"'to' must be a month written yyyy-MM (e.g. 2027-03), from 2000-01 to 2100-01; got '{Truncate(to)}'.";
            return null;
        }

        if (start > end)
        {
            error = $"'from' ({start}) is after 'to' ({end}).";
            return null;
        }

        var count = ((end.Year - start.Year) * 12) + end.Number - start.Number + 1;
        if (count > MaxMonths)
        {
            error = $"At most {MaxMonths} months can be asked for at once; {start} to {end} is {count}.";
            return null;
        }

        return new MonthRange(start, end);
    }

    private static string Truncate(string text) => text.Length > 20 ? text[..20] + "…" : text;
}
