using System.Globalization;
using Referrals.Calendar;

namespace Referrals.Outcomes;

/// <summary>
/// The time a status happened, as a service or an operator writes it: ISO 8601 with an offset (or Z), or without one, or a
/// date and time as Excel writes them in the UK (dd/MM/yyyy HH:mm, seconds optional); a time without an offset is
/// Europe/London (<see cref="London.At"/>: in the hour skipped in spring, the first instant after it).
/// </summary>
public static class OutcomeTimes
{
    private static readonly string[] WithOffset = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];

    private static readonly string[] Local =
    [
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm",
        "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm",
    ];

    public static DateTimeOffset? Parse(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || value.Length > 40)
        {
            return null;
        }

        if ((value.EndsWith('Z') || value.LastIndexOfAny(['+', '-']) > 10)
            && DateTimeOffset.TryParseExact(value, WithOffset, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
        {
            return exact;
        }

        return DateTime.TryParseExact(value, Local, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? London.At(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local))
            : null;
    }
}
