using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Referrals.Tasks;

/// <summary>
/// Task ids: "T" and the Europe/London year and month the task was raised (yyMM, which finds the task's index row),
/// then 8 random characters of Crockford's base32 (40 bits), e.g. T2610-7KQ3-M9XD. Nothing about the crime or the
/// victim is in it, so an id can go into a URL, a mailbox subject or a log line.
/// </summary>
public static partial class TaskIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new random id for a task raised at <paramref name="raisedAt"/>.</summary>
    public static string New(DateTimeOffset raisedAt)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random[i] % 32];
        }

        return Format(raisedAt, new string(chars));
    }

    /// <summary>Ids from a counter: the same sequence every run (tests, and properties that compare two runs).</summary>
    public static Func<DateTimeOffset, string> Sequence()
    {
        var n = 0;
        return raisedAt => Format(raisedAt, (++n).ToString("D8", CultureInfo.InvariantCulture));
    }

    /// <summary>An id as operators may type it (any case), in its stored form; null when it is not a task id.</summary>
    public static string? Normalise(string? typed) =>
        typed?.Trim().ToUpperInvariant() is { } id && Shape().IsMatch(id) ? id : null;

    /// <summary>The Europe/London month (yyyy-MM) a well-formed id says its task was raised in.</summary>
    public static string? MonthOf(string id) =>
        Normalise(id) is { } valid && int.Parse(valid.AsSpan(3, 2), CultureInfo.InvariantCulture) is >= 1 and <= 12
            ? $"20{valid.AsSpan(1, 2)}-{valid.AsSpan(3, 2)}"
            : null;

    private static string Format(DateTimeOffset raisedAt, string random)
    {
        var month = Calendar.London.DateOf(raisedAt);
        return string.Create(CultureInfo.InvariantCulture, $"T{month.Year % 100:00}{month.Month:00}-{random[..4]}-{random[4..]}");
    }

    [GeneratedRegex("^T[0-9]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
