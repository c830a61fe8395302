using System.Globalization;
using System.Net.Mail;

namespace Referrals.Rules;

/// <summary>
/// Decides whether a contact email can be used as a single bare recipient address. Anything else (a
/// display name, a line break, a comma-separated list, an invisible or direction-changing character,
/// text that is no address at all) is not an address we send to or pass on: the contract treats it as
/// absent, with the reason <see cref="EmailSuppression.NoEmailAddress"/>.
/// </summary>
public static class EmailAddress
{
    private const int MaxLength = 254;

    /// <summary>True with the trimmed address when <paramref name="candidate"/> is one valid bare address; never throws.</summary>
    public static bool TryNormalise(string? candidate, out string address)
    {
        address = string.Empty;
        if (string.IsNullOrWhiteSpace(candidate))
        {
            return false;
        }

        // Control and invisible characters refuse the value even at its ends, where Trim would hide them.
        var trimmed = candidate.Trim();
        if (trimmed.Length > MaxLength || candidate.Any(IsInvisible) || trimmed.Any(IsForbidden))
        {
            return false;
        }

        // MailAddress refuses an empty local part, a second '@' and empty domain labels; what it reads must be
        // the whole value (no display name, no comment). It accepts a host without a dot and a trailing dot:
        // no mailbox we can send to has either.
        if (!MailAddress.TryCreate(trimmed, out var parsed)
            || !string.Equals(parsed.Address, trimmed, StringComparison.Ordinal)
            || !parsed.Host.Contains('.', StringComparison.Ordinal) || parsed.Host.EndsWith('.'))
        {
            return false;
        }

        address = trimmed;
        return true;
    }

    public static bool IsValid(string? candidate) => TryNormalise(candidate, out _);

    /// <summary>The valid bare address, or null when the value is absent or not one: what a document may show.</summary>
    public static string? ValidOrNull(string? candidate) => TryNormalise(candidate, out var address) ? address : null;

    private static bool IsInvisible(char c) =>
        char.IsControl(c)
        || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static bool IsForbidden(char c) =>
        char.IsWhiteSpace(c) || IsInvisible(c) || char.IsSurrogate(c)
        || c is '"' or '(' or ')' or '[' or ']' or '\\' or ':' || IsListOrDisplayName(c);

    // Stryker disable once Logical : MailAddress refuses a list and rewrites a display name (which the Address check then refuses), so no input tells a shorter list apart; the refusal is stated here, not left to its parser.
    private static bool IsListOrDisplayName(char c) => c is '<' or '>' or ',' or ';';
}
