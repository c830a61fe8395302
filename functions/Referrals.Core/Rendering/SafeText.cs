using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Referrals.Rendering;

/// <summary>
/// The one rule for writing a field value into text a person reads (secure emails, Victim Care Unit tasks,
/// referral documents, entitlement emails, .eml files): the value stays on the line of its label, whatever
/// the parser let through. Renderers apply it to every value themselves, so their output is safe even if
/// the contract is loosened or a record is built by other code.
/// </summary>
public static class SafeText
{
    /// <summary>
    /// Folds every line or paragraph separator, control character (C0, DEL, C1 such as U+0085) and run of
    /// white space to one space, and drops format characters (bidi overrides, embeddings and isolates,
    /// zero-width characters, the BOM), which can hide or reorder what a reader sees. Trims the result.
    /// An unpaired surrogate becomes U+FFFD.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? OneLine(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.Format)
            {
                continue;
            }

            if (category is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || Rune.IsWhiteSpace(rune))
            {
                pendingSpace = text.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                text.Append(' ');
                pendingSpace = false;
            }

            text.Append(rune.ToString());
        }

        return text.ToString();
    }

    /// <summary>True when <see cref="OneLine"/> would leave the value exactly as it is.</summary>
    public static bool IsOneLine(string value) => string.Equals(OneLine(value), value, StringComparison.Ordinal);
}
