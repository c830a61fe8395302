using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Referrals.Forwarding;

/// <summary>
/// The id a service knows a referral by and reports its outcomes with (rulebook 1.2 section 11): "R-" and 25 random
/// characters of Crockford's base32 in five groups (125 bits), e.g. R-7KQ3M-9XD2A-… Nothing about the crime or the
/// victim is in it and it cannot be guessed, so it can go into a URL, a file or a log line.
/// </summary>
public static partial class PublicReferralIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<byte> random = stackalloc byte[25];
        RandomNumberGenerator.Fill(random);
        var chars = new char[25];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random[i] % 32];
        }

        var s = new string(chars);
        return $"R-{s[..5]}-{s[5..10]}-{s[10..15]}-{s[15..20]}-{s[20..]}";
    }

    /// <summary>An id as a person or a service may type it (any case, spaces around), in its stored form; null when it is not a public id.</summary>
    public static string? Normalise(string? typed) =>
        typed?.Trim().ToUpperInvariant() is { } id && Shape().IsMatch(id) ? id : null;

    [GeneratedRegex("^R(-[0-9A-HJKMNP-TV-Z]{5}){5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
