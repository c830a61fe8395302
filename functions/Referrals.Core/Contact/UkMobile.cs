using System.Text.RegularExpressions;

namespace Referrals.Contact;

/// <summary>
/// A UK mobile number that can receive a text message: 07…, +447…, 447… or 00447… with 9 more digits, spaces
/// allowed. Ofcom's 070 (personal numbering) and 076 (pagers, except 07624 on the Isle of Man) ranges are not
/// mobiles. Normalised to +447… (E.164), the form GOV.UK Notify is given.
/// </summary>
public static partial class UkMobile
{
    public static bool TryNormalise(string? candidate, out string mobile)
    {
        mobile = string.Empty;
        var compact = candidate?.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        if (compact is null || compact.Length > 20 || Shape().Match(compact) is not { Success: true } match)
        {
            return false;
        }

        var national = match.Groups["n"].Value; // 10 digits starting with 7
        if (national.StartsWith("70", StringComparison.Ordinal) || (national.StartsWith("76", StringComparison.Ordinal) && !national.StartsWith("7624", StringComparison.Ordinal)))
        {
            return false;
        }

        mobile = "+44" + national;
        return true;
    }

    public static bool IsValid(string? candidate) => TryNormalise(candidate, out _);

    [GeneratedRegex(@"^(?:0|\+44|0044|44)(?<n>7[0-9]{9})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
