using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Referrals.Rendering;

/// <summary>
/// GOV.UK Notify's own text handling, as its code does it, so that what we judge (a mobile number, an address, a
/// text's length) is what Notify judges. Read in alphagov/notifications-utils at commit
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf: <c>notifications_utils/formatters.py</c> (the whitespace sets, lines
/// 16-29; <c>normalise_whitespace</c>, 273-284; <c>remove_whitespace_before_punctuation</c>, 231-232 with the
/// pattern of line 37; <c>normalise_multiple_newlines</c>, 287-288 with the pattern of line 58) and <c>notifications_utils/sanitise_text.py</c>
/// (<c>SanitiseText</c>: the replacements, lines 8-33, and the downgrade, 51-87; <c>SanitiseSMS</c>'s character sets,
/// 109-132; <c>SanitiseASCII</c>, 144-152). Python's <c>str.split</c>, <c>splitlines</c> and <c>strip</c> are
/// reproduced too (their whitespace and line breaks are not .NET's).
/// </summary>
public static partial class NotifyText
{
    /// <summary>Zero-width characters Notify removes (formatters.py lines 16-25).</summary>
    public const string ZeroWidth = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029";

    /// <summary>No-break spaces Notify reads as a space (formatters.py line 27).</summary>
    public const string NoBreakSpaces = "\u00a0\u202f";

    /// <summary>Python's <c>string.whitespace</c> plus the two sets above: <c>ALL_WHITESPACE</c> (formatters.py line 29).</summary>
    public const string AllWhitespace = " \t\n\r\v\f" + ZeroWidth + NoBreakSpaces;

    /// <summary>GSM 03.38's extension table: each counts as 2 characters (sanitise_text.py line 120).</summary>
    public const string GsmExtension = "^{}\\[~]|€";

    /// <summary>GSM 03.38's basic set (sanitise_text.py lines 122-128, without the extension table).</summary>
    public const string GsmBasic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>The Welsh letters with accents Notify keeps in a text (sanitise_text.py lines 109-118).</summary>
    public const string WelshDiacritics = "àèìòùẁỳÀÈÌÒÙẀỲáéíóúẃýÁÉÍÓÚẂÝäëïöüẅÿÄËÏÖÜẄŸâêîôûŵŷÂÊÎÔÛŴŶ";

    /// <summary>Printable ASCII, U+0020 to U+007E: <c>SanitiseASCII.ALLOWED_CHARACTERS</c> (sanitise_text.py lines 150-152).</summary>
    public static readonly SearchValues<char> Ascii = SearchValues.Create(Enumerable.Range(32, 95).Select(i => (char)i).ToArray());

    /// <summary>What a text message may carry as it is: GSM-7 and the Welsh letters (<c>SanitiseSMS.ALLOWED_CHARACTERS</c>).</summary>
    public static readonly SearchValues<char> Sms = SearchValues.Create(GsmBasic + GsmExtension + WelshDiacritics);

    /// <summary>The Welsh letters that are not GSM-7: any of them makes a text Unicode (sanitise_text.py line 132).</summary>
    public static readonly SearchValues<char> WelshNotGsm = SearchValues.Create(WelshDiacritics.Where(c => !(GsmBasic + GsmExtension).Contains(c)).ToArray());

    /// <summary>sanitise_text.py lines 8-33: the look-alikes Notify sends instead of a character it cannot send.</summary>
    private static readonly Dictionary<char, string> Replacements = new()
    {
        ['\u2011'] = "-",
        ['\u2013'] = "-",
        ['\u2014'] = "-",
        ['\u2212'] = "-",
        ['\u2026'] = "...",
        ['\u2018'] = "'",
        ['\u2019'] = "'",
        ['\u201c'] = "\"",
        ['\u201d'] = "\"",
        ['\u201a'] = "'",
        ['\u201e'] = "\"",
        ['\u180e'] = string.Empty,
        ['\u200b'] = string.Empty,
        ['\u200c'] = string.Empty,
        ['\u200d'] = string.Empty,
        ['\u2060'] = string.Empty,
        ['\ufeff'] = string.Empty,
        ['\u2028'] = string.Empty,
        ['\u2029'] = string.Empty,
        ['\u00a0'] = " ",
        ['\u202f'] = " ",
        ['\t'] = " ",
        ['\u0141'] = "L",
        ['\u0142'] = "l",
    };

    /// <summary>
    /// <c>SanitiseText.encode</c>: every character (code point, as Python iterates) that is not in
    /// <paramref name="allowed"/> becomes its look-alike, or the first character of its canonical decomposition when
    /// that is allowed (é → e), or "?".
    /// </summary>
    public static string Sanitise(string text, SearchValues<char> allowed)
    {
        if (text.AsSpan().IndexOfAnyExcept(allowed) < 0)
        {
            return text;
        }

        var sanitised = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && allowed.Contains((char)rune.Value))
            {
                sanitised.Append((char)rune.Value);
            }
            else
            {
                sanitised.Append(Downgrade(rune, allowed) ?? "?");
            }
        }

        return sanitised.ToString();
    }

    /// <summary>
    /// <c>SanitiseText.downgrade_character</c> (sanitise_text.py lines 51-75): a character with a canonical
    /// decomposition (Python's <c>unicodedata.decomposition</c> without a "&lt;tag&gt;") becomes the decomposition's
    /// first character when that is allowed, else nothing; any other character its replacement, if it has one.
    /// .NET has no one-level decomposition, so it is rebuilt from NFC and NFD: checked against Python's for every
    /// character of the Basic Multilingual Plane (2026-12-07).
    /// </summary>
    public static string? Downgrade(Rune rune, SearchValues<char> allowed)
    {
        var character = rune.ToString();
        var decomposed = character.Normalize(NormalizationForm.FormD);
        if (decomposed != character)
        {
            // A singleton (Å for the ångström sign) is what NFC makes of the character; any other decomposition is a
            // base and one mark, so its first character is the NFD less its last mark, composed again.
            var composed = character.Normalize(NormalizationForm.FormC);
            var first = composed != character ? composed
                : !Rune.TryGetRuneAt(decomposed, 0, out var head) || head.Utf16SequenceLength == decomposed.Length ? decomposed
                : decomposed[..LastRuneStart(decomposed)].Normalize(NormalizationForm.FormC);
            return first.Length == 1 && allowed.Contains(first[0]) ? first : null;
        }

        return rune.IsBmp && Replacements.TryGetValue((char)rune.Value, out var replacement) ? replacement : null;
    }

    /// <summary>Python's <c>str.isspace</c>: .NET's white space plus the information separators U+001C to U+001F.</summary>
    public static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';

    /// <summary>Python's <c>str.splitlines()</c>: the line boundaries it knows (\r\n counts once), no empty last line.</summary>
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

    /// <summary>
    /// <c>normalise_whitespace</c>: no-break spaces become spaces, zero-width characters go, and every run of
    /// white space is one space, none at either end (Python's <c>" ".join(value.split())</c>).
    /// </summary>
    public static string NormaliseWhitespace(string text)
    {
        var normalised = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (ZeroWidth.Contains(c, StringComparison.Ordinal))
            {
                continue;
            }

            if (IsPythonSpace(c))
            {
                pendingSpace = normalised.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                normalised.Append(' ');
                pendingSpace = false;
            }

            normalised.Append(c);
        }

        return normalised.ToString();
    }

    /// <summary><c>get_lines_with_normalised_whitespace</c>: the lines, each with its white space normalised.</summary>
    public static List<string> NormalisedLines(string text) => [.. SplitLines(text).Select(NormaliseWhitespace)];

    /// <summary><c>remove_whitespace_before_punctuation</c>: spaces and tabs before a comma or a full stop go.</summary>
    public static string RemoveWhitespaceBeforePunctuation(string text) => SpaceBeforePunctuation().Replace(text, "$1");

    /// <summary><c>normalise_multiple_newlines</c>: three or more line breaks in a row become two.</summary>
    public static string NormaliseMultipleNewlines(string text) => ManyNewlines().Replace(text, "\n\n");

    /// <summary><c>remove_whitespace</c> (formatters.py lines 333-338): every character of <see cref="AllWhitespace"/> removed.</summary>
    public static string RemoveWhitespace(string text) =>
        string.Concat(text.Where(c => !AllWhitespace.Contains(c, StringComparison.Ordinal)));

    /// <summary>Python's <c>str.strip()</c> (its own white space).</summary>
    public static string PythonStrip(string text)
    {
        var (start, end) = (0, text.Length);
        while (start < end && IsPythonSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsPythonSpace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>
    /// Python's <c>str.upper()</c> for what can become ASCII: .NET's invariant upper case, plus the full case
    /// mappings of ß and the Latin ligatures (ß → SS, ﬁ → FI…), which .NET leaves as they are.
    /// </summary>
    public static string PythonUpper(string text)
    {
        if (text.AsSpan().IndexOfAny(Ligatures) < 0)
        {
            return text.ToUpperInvariant();
        }

        return text.ToUpperInvariant().Replace("ß", "SS", StringComparison.Ordinal).Replace("ﬀ", "FF", StringComparison.Ordinal)
            .Replace("ﬁ", "FI", StringComparison.Ordinal).Replace("ﬂ", "FL", StringComparison.Ordinal).Replace("ﬃ", "FFI", StringComparison.Ordinal)
            .Replace("ﬄ", "FFL", StringComparison.Ordinal).Replace("ﬅ", "ST", StringComparison.Ordinal).Replace("ﬆ", "ST", StringComparison.Ordinal);
    }

    private static readonly SearchValues<char> Ligatures = SearchValues.Create("ßﬀﬁﬂﬃﬄﬅﬆ");

    private static int LastRuneStart(string text) =>
        char.IsLowSurrogate(text[^1]) && text.Length > 1 ? text.Length - 2 : text.Length - 1;

    [GeneratedRegex(@"(?<![ \t])[ \t]+([,\.])", RegexOptions.CultureInvariant)]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex ManyNewlines();
}
