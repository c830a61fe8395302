using System.Text;

namespace Referrals.Contract;

/// <summary>Contract revision 1.1's character rules: what a string in a snapshot may contain.</summary>
public static class Characters
{
    /// <summary>C0, DEL and C1 controls: they add lines, headers or terminal effects wherever text is shown.</summary>
    public static bool IsControl(char c) => char.IsControl(c);

    /// <summary>Bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069): they reorder what a person reads.</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>Unicode line and paragraph separators and the byte order mark, refused as before revision 1.1: they break lines or hide in text.</summary>
    public static bool IsSeparator(char c) => c is '\u2028' or '\u2029' or '\uFEFF';

    public static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';

    public static bool IsPrintableAscii(string text) => text.All(IsPrintableAscii);

    /// <summary>True when the text has nothing a field may not carry (line breaks and tabs are allowed when <paramref name="lineBreaksAllowed"/>).</summary>
    public static bool AreAllowed(string text, bool lineBreaksAllowed = false) =>
        FirstProblem(text, lineBreaksAllowed) is null;

    /// <summary>The rule the text breaks, for a refusal reason (which never quotes the text), or null.</summary>
    public static string? FirstProblem(string text, bool lineBreaksAllowed = false)
    {
        foreach (var c in text)
        {
            if (IsControl(c) && !(lineBreaksAllowed && IsLineBreakOrTab(c)))
            {
                return lineBreaksAllowed
                    ? "must not contain control characters other than line breaks and tabs"
                    : "must not contain control characters (line breaks, tabs and the like)";
            }

            if (IsBidiControl(c))
            {
                return "must not contain bidirectional embedding, override or isolate characters";
            }

            if (IsSeparator(c))
            {
                return "must not contain Unicode line or paragraph separators or byte order marks";
            }
        }

        return null;
    }

    /// <summary>Multi-line free text read as one line: each run of line breaks and tabs becomes one space.</summary>
    public static string JoinLines(string text)
    {
        if (!text.Any(IsLineBreakOrTab))
        {
            return text;
        }

        var joined = new StringBuilder(text.Length);
        var inRun = false;
        foreach (var c in text)
        {
            if (IsLineBreakOrTab(c))
            {
                if (!inRun)
                {
                    joined.Append(' ');
                }

                inRun = true;
                continue;
            }

            inRun = false;
            joined.Append(c);
        }

        return joined.ToString();
    }

    private static bool IsLineBreakOrTab(char c) => c is '\r' or '\n' or '\t';
}
