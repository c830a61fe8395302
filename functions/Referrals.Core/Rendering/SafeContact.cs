using System.Text.RegularExpressions;
using Referrals.Rules;

namespace Referrals.Rendering;

/// <summary>
/// Which contact details may be written into a document for a person or a service: only a value that is
/// exactly one usable address or number. Anything else is left out, and the document says why.
/// </summary>
public static partial class SafeContact
{
    public const string NotAnEmail = "not a single valid address";
    public const string NotAPhone = "not a phone number";

    /// <summary>One bare address (no display name, no list), with nothing <see cref="SafeText"/> would change.</summary>
    public static bool TryEmail(string? candidate, out string address) =>
        (EmailAddress.TryNormalise(candidate, out address) && SafeText.IsOneLine(address)) || Fail(out address);

    /// <summary>Digits, spaces, brackets, hyphens and a leading +; 3 to 20 digits (999, 101, +44 (0)7700 900123).</summary>
    public static bool TryPhone(string? candidate, out string phone)
    {
        phone = candidate?.Trim() ?? string.Empty;
        var digits = phone.Count(char.IsAsciiDigit);
        return (PhoneShape().IsMatch(phone) && digits is >= 3 and <= 20) || Fail(out phone);
    }

    private static bool Fail(out string value)
    {
        value = string.Empty;
        return false;
    }

    [GeneratedRegex(@"^\+?[0-9() -]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneShape();
}
