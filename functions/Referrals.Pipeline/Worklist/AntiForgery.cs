using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Logging;

namespace Referrals.Pipeline.Worklist;

/// <summary>
/// The worklist's protection against cross-site request forgery (docs/worklist.md, "The worklist page"): a signed
/// double-submit token bound to the signed-in person. A token is 8 bytes of expiry (Unix seconds), 16 random bytes and
/// an HMAC-SHA256 over "worklist|" + the person's id + expiry + the random bytes, Base64url. The page puts it in a hidden
/// field of every form and in a cookie (HttpOnly, SameSite=Strict, and Secure with the __Host- prefix on HTTPS); a post
/// is acted on only when the field and the cookie carry the same token, its MAC is right for the person posting, and it
/// has not expired. Another site can neither read the token nor make the browser send the cookie with its request.
/// The key is derived (HKDF-SHA256, its own label) from the log-hash key, a Key Vault secret the app already requires,
/// so there is no second secret to provision or rotate; rotating that secret invalidates open forms, nothing else.
/// </summary>
public sealed class AntiForgery(IOptions<LogRedactionOptions> options, TimeProvider time)
{
    /// <summary>A working day: the page's forms stay usable all day, and a token reissued when less than an hour is left.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(10);

    private const int ExpiryBytes = 8;
    private const int RandomBytes = 16;
    private const int MacBytes = 32;

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.HashKey), 32, info: "referrals worklist anti-forgery v1"u8.ToArray());

    /// <summary>The cookie's name: with the __Host- prefix (Secure, Path=/, no Domain) on HTTPS.</summary>
    public static string CookieName(bool https) => https ? "__Host-worklist-token" : "worklist-token";

    /// <summary>The Set-Cookie header value carrying <paramref name="token"/>.</summary>
    public static string Cookie(string token, bool https) =>
        $"{CookieName(https)}={token}; Path=/; Max-Age={(int)Lifetime.TotalSeconds}; HttpOnly; SameSite=Strict{(https ? "; Secure" : string.Empty)}";

    /// <summary>The token the page's forms carry: the person's current one while it has an hour left, else a new one.</summary>
    public string TokenFor(string personId, string? current) =>
        current is not null && ExpiryOf(personId, current) is { } expiry && expiry - time.GetUtcNow() > TimeSpan.FromHours(1) ? current : Issue(personId);

    /// <summary>True only when the form's and the cookie's tokens are the same, signed for this person, and not expired.</summary>
    public bool Verify(string personId, string? formToken, string? cookieToken) =>
        formToken is not null && cookieToken is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(formToken), Encoding.ASCII.GetBytes(cookieToken))
        && ExpiryOf(personId, formToken) is { } expiry && expiry > time.GetUtcNow();

    /// <summary>The token named <see cref="CookieName"/> in a Cookie header; null when there is none.</summary>
    public static string? FromCookieHeader(string? header, bool https)
    {
        foreach (var part in (header ?? string.Empty).Split(';'))
        {
            var pair = part.Trim();
            var name = CookieName(https) + "=";
            if (pair.StartsWith(name, StringComparison.Ordinal))
            {
                return pair[name.Length..];
            }
        }

        return null;
    }

    private string Issue(string personId)
    {
        var token = new byte[ExpiryBytes + RandomBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(token, (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(token.AsSpan(ExpiryBytes, RandomBytes));
        Mac(personId, token.AsSpan(0, ExpiryBytes + RandomBytes), token.AsSpan(ExpiryBytes + RandomBytes));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>When a well-formed token signed for this person expires; null for anything else.</summary>
    private DateTimeOffset? ExpiryOf(string personId, string token)
    {
        byte[] bytes;
        try
        {
            bytes = token.Length <= 128 ? Base64Url.DecodeFromChars(token) : [];
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length != ExpiryBytes + RandomBytes + MacBytes)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(personId, bytes.AsSpan(0, ExpiryBytes + RandomBytes), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(ExpiryBytes + RandomBytes)))
        {
            return null;
        }

        var seconds = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return seconds is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }

    private void Mac(string personId, ReadOnlySpan<byte> signed, Span<byte> mac)
    {
        var person = Encoding.UTF8.GetBytes($"worklist|{personId}|");
        var message = new byte[person.Length + signed.Length];
        person.CopyTo(message, 0);
        signed.CopyTo(message.AsSpan(person.Length));
        HMACSHA256.HashData(_key, message, mac);
    }
}
