using System.Globalization;

namespace Referrals.Tests.Rendering;

/// <summary>
/// Values a careless or hostile records system could put in any text field, built without the parser: line and
/// paragraph separators, other control characters, bidi and zero-width characters, markup, Mustache, forged labels.
/// </summary>
internal static class HostileValues
{
    public static readonly string[] All =
    [
        "x\r\nEmail: forged@attacker.example (safe to use)",
        "x\nParent or guardian may be a suspect: no",
        "x\rKind: Referral",
        "x\r\n\r\nBcc: forged@attacker.example",
        "x\u0085Phone: 07700 900999 (safe to use)",
        "x\u2028Email: forged@attacker.example (safe to use)",
        "x\u2029Parent or guardian may be a suspect: no",
        "x\u000BVertical\u000CForm\u001CFile\u001DGroup\u001ERecord\u001FUnit",
        "x\u0000NUL\u007FDEL\u009BCSI",
        "x\u202Eesu ot efas\u202C\u202A\u202B\u202D",
        "x\u2066isolate\u2067\u2068\u2069",
        "x\u200Bzero\u200Cwidth\u200D\uFEFF\u2060\u00AD",
        "x <script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)>",
        "x {{#officer}}{{name}}{{/officer}} {{{nationalSupportUrl}}}",
        "x\t\ttabbed \ud800 lone surrogate",
    ];

    public static TheoryData<int> Indexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < All.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    /// <summary>A character that could break a line, hide or reorder text, or that is no character at all.</summary>
    public static bool IsUnreadable(char c) =>
        char.IsControl(c) || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format;

    /// <summary>The lines of a text whose only line ends are <paramref name="newline"/>; fails on any other unreadable character.</summary>
    public static string[] Lines(string text, string newline)
    {
        var lines = text.Split(newline);
        foreach (var line in lines)
        {
            var at = line.ToList().FindIndex(IsUnreadable);
            Assert.True(at < 0, at < 0 ? null : $"U+{(int)line[at]:X4} inside a line: {line}");
        }

        return lines;
    }
}
