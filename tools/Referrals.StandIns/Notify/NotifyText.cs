using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Referrals.StandIns.Notify;

/// <summary>
/// GOV.UK Notify's text helpers the stand-in needs, written here from alphagov/notifications-utils at commit
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf: <c>notifications_utils/formatters.py</c> (whitespace sets lines 16-29,
/// <c>remove_whitespace_before_punctuation</c> 231-232 with the pattern of line 37, <c>normalise_whitespace</c> 273-284,
/// <c>normalise_multiple_newlines</c> 287-288, <c>remove_whitespace</c> 333-338, <c>unescaped_formatted_list</c> 190-224)
/// and <c>notifications_utils/sanitise_text.py</c> (<c>SanitiseText</c>, <c>SanitiseSMS</c>, <c>SanitiseASCII</c>).
/// </summary>
internal static partial class NotifyText
{
    public const string ZeroWidth = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029";
    public const string FullWidth = "\u00a0\u202f";
    public const string AllWhitespace = " \t\n\r\v\f" + ZeroWidth + FullWidth;
    public const string GsmExtension = "^{}\\[~]|€";

    private const string Gsm = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" + GsmExtension;
    private const string Welsh = "àèìòùẁỳÀÈÌÒÙẀỲáéíóúẃýÁÉÍÓÚẂÝäëïöüẅÿÄËÏÖÜẄŸâêîôûŵŷÂÊÎÔÛŴŶ";

    /// <summary>SanitiseSMS.ALLOWED_CHARACTERS.</summary>
    public static readonly HashSet<char> SmsAllowed = [.. Gsm, .. Welsh];

    /// <summary>SanitiseSMS.WELSH_NON_GSM_CHARACTERS: any of them makes a text Unicode.</summary>
    public static readonly HashSet<char> WelshNotGsm = [.. Welsh.Where(c => !Gsm.Contains(c, StringComparison.Ordinal))];

    /// <summary>SanitiseASCII.ALLOWED_CHARACTERS: printable ASCII.</summary>
    public static readonly HashSet<char> AsciiAllowed = [.. Enumerable.Range(32, 95).Select(i => (char)i)];

    private static readonly Dictionary<int, string> Replacements = new()
    {
        [0x2011] = "-",
        [0x2013] = "-",
        [0x2014] = "-",
        [0x2212] = "-",
        [0x2026] = "...",
        [0x2018] = "'",
        [0x2019] = "'",
        [0x201c] = "\"",
        [0x201d] = "\"",
        [0x201a] = "'",
        [0x201e] = "\"",
        [0x180e] = "",
        [0x200b] = "",
        [0x200c] = "",
        [0x200d] = "",
        [0x2060] = "",
        [0xfeff] = "",
        [0x2028] = "",
        [0x2029] = "",
        [0x00a0] = " ",
        [0x202f] = " ",
        ['\t'] = " ",
        [0x0141] = "L",
        [0x0142] = "l",
    };

    /// <summary>SanitiseText.encode: each code point kept when allowed, else downgraded, else "?".</summary>
    public static string Sanitise(string text, HashSet<char> allowed)
    {
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && allowed.Contains((char)rune.Value))
            {
                result.Append((char)rune.Value);
                continue;
            }

            result.Append(Downgrade(rune, allowed) ?? "?");
        }

        return result.ToString();
    }

    /// <summary>
    /// SanitiseText.downgrade_character: a character with a canonical decomposition (Python's
    /// <c>unicodedata.decomposition</c>, one level) becomes its first part when that is allowed, else nothing; any other
    /// character its replacement. .NET decomposes fully, so one level is rebuilt: a singleton (the ångström sign) is
    /// what NFC makes of it; otherwise the full decomposition less its last mark, composed again (ǖ → ü, ấ → â, ệ → ẹ).
    /// </summary>
    private static string? Downgrade(Rune rune, HashSet<char> allowed)
    {
        var text = rune.ToString();
        var decomposed = text.Normalize(NormalizationForm.FormD);
        if (decomposed != text)
        {
            var composed = text.Normalize(NormalizationForm.FormC);
            var first = composed != text ? composed
                : decomposed.Length == 1 ? decomposed
                : decomposed[..^1].Normalize(NormalizationForm.FormC);
            return first.Length == 1 && allowed.Contains(first[0]) ? first : null;
        }

        return Replacements.GetValueOrDefault(rune.Value);
    }

    /// <summary>normalise_whitespace: full-width spaces are spaces, zero-width ones go, runs of white space are one space, none at the ends.</summary>
    public static string NormaliseWhitespace(string value)
    {
        foreach (var c in FullWidth)
        {
            value = value.Replace(c, ' ');
        }

        foreach (var c in ZeroWidth)
        {
            value = value.Replace(c.ToString(), string.Empty, StringComparison.Ordinal);
        }

        return string.Join(' ', PythonSplit(value));
    }

    /// <summary>Python's <c>str.splitlines()</c>.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r' or '\v' or '\f' or '\u001c' or '\u001d' or '\u001e' or '\u0085' or '\u2028' or '\u2029')
            {
                lines.Add(text[start..i]);
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    public static string RemoveWhitespaceBeforePunctuation(string value) => BeforePunctuation().Replace(value, "$1");

    public static string NormaliseMultipleNewlines(string value) => ManyNewlines().Replace(value, "\n\n");

    /// <summary>remove_whitespace: every white space character, obscure ones included, removed.</summary>
    public static string RemoveWhitespace(string value) => new([.. value.Where(c => !AllWhitespace.Contains(c, StringComparison.Ordinal))]);

    /// <summary>Python's <c>str.strip()</c> (its white space: .NET's plus U+001C to U+001F).</summary>
    public static string PythonStrip(string value) => value.Trim().Trim('\u001c', '\u001d', '\u001e', '\u001f').Trim();

    /// <summary>unescaped_formatted_list with no quotes: "a", "a and b", "a, b and c".</summary>
    public static string FormattedList(IReadOnlyList<string> items) =>
        items.Count switch
        {
            0 => string.Empty,
            1 => items[0],
            _ => $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}",
        };

    /// <summary>Python's <c>str.isdigit()</c> on any character of the text.</summary>
    public static bool HasDigit(string text) => text.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber);

    private static readonly char[] PythonWhitespace = [.. Enumerable.Range(0, 0x3001).Select(i => (char)i).Where(c => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f')];

    private static string[] PythonSplit(string value) => value.Split(PythonWhitespace, StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"(?<![ \t])[ \t]+([,\.])", RegexOptions.CultureInvariant)]
    private static partial Regex BeforePunctuation();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex ManyNewlines();
}
