using System.Net.Mail;

namespace Referrals.Rules;

/// <summary>
/// Decides whether a contact email can be used as a bare recipient address. Anything else (a display
/// name, a line break, a comma-separated list) is not an address we send to.
/// </summary>
public static class EmailAddress
{
    private const int MaxLength = 254;

    public static bool TryNormalise(string? candidate, out string address)
    {
        address = string.Empty;
        if (string.IsNullOrWhiteSpace(candidate))
        {
            return false;
        }

        var trimmed = candidate.Trim();
        if (trimmed.Length > MaxLength || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';' or '"' or '(' or ')'))
        {
            return false;
        }

        if (!MailAddress.TryCreate(trimmed, out var parsed)
            || !string.Equals(parsed.Address, trimmed, StringComparison.Ordinal)
            || parsed.DisplayName.Length > 0)
        {
            return false;
        }

        var at = trimmed.LastIndexOf('@');
        var domain = trimmed[(at + 1)..];
        if (at <= 0 || !domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        address = trimmed;
        return true;
    }

    public static bool IsValid(string? candidate) => TryNormalise(candidate, out _);
}
