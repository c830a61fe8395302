using System.Globalization;
using System.Text.RegularExpressions;

namespace Referrals.Tallies;

/// <summary>
/// A financial quarter as the Ministry of Justice's returns use it, written <c>2026-27-Q3</c>: the financial year
/// from 1 April 2026 to 31 March 2027, and its third quarter, October to December 2026.
/// </summary>
public static partial class FinancialQuarter
{
    /// <summary>The quarter's three months, or null with <paramref name="error"/> saying what is wrong, for a 400.</summary>
    public static MonthRange? TryParse(string? text, out string? error)
    {
        error = null;
        var match = text is { Length: 10 } ? Shape().Match(text) : Match.Empty;
        if (!match.Success)
        {
            error = $"'quarter' must be a financial quarter written yyyy-yy-Qn (e.g. 2026-27-Q3, October to December 2026); got '{Truncate(text ?? string.Empty)}'.";
            return null;
        }

        var year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var next = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var quarter = match.Groups[3].Value[0] - '0';
        if ((year + 1) % 100 != next)
        {
            error = $"'quarter' {text}: the financial year {year} runs into {year + 1}, so it is written {year}-{(year + 1) % 100:00}.";
            return null;
        }

        var first = new Month(year, 4);
        for (var i = 0; i < (quarter - 1) * 3; i++)
        {
            first = first.Next;
        }

        var last = first.Next.Next;
        if (first < Month.Earliest || last > Month.Latest)
        {
            error = $"'quarter' {text} lies outside the contract's dates (2000-01 to 2100-01).";
            return null;
        }

        return new MonthRange(first, last);
    }

    /// <summary>The quarter a month belongs to, written as <see cref="TryParse"/> reads it.</summary>
    public static string Of(Month month)
    {
        var year = month.Number >= 4 ? month.Year : month.Year - 1;
        var quarter = ((month.Number + 8) % 12 / 3) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{year:0000}-{(year + 1) % 100:00}-Q{quarter}");
    }

    private static string Truncate(string text) => text.Length > 20 ? text[..20] + "…" : text;

    [GeneratedRegex("^([0-9]{4})-([0-9]{2})-Q([1-4])$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
