using System.Security.Cryptography;
using System.Text;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// GOV.UK Notify's bearer token: a JWT (HS256) with the service id as issuer and the time issued, signed with the
/// API key's secret (its last 36 characters; the service id is the 36 before them). Notify refuses one more than 30
/// seconds old, so a token is made for every request.
/// </summary>
public static class NotifyToken
{
    private const int UuidLength = 36;

    public static string Create(string apiKey, DateTimeOffset now)
    {
        var (serviceId, secret) = Parts(apiKey);
        var header = Base64Url("""{"typ":"JWT","alg":"HS256"}"""u8);
        var payload = Base64Url(Encoding.UTF8.GetBytes($$"""{"iss":"{{serviceId}}","iat":{{now.ToUnixTimeSeconds()}}}"""));
        var signature = Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    /// <summary>The service id and the secret of a key "{name}-{service id}-{secret}".</summary>
    public static (string ServiceId, string Secret) Parts(string apiKey) =>
        (apiKey[^((2 * UuidLength) + 1)..^(UuidLength + 1)], apiKey[^UuidLength..]);

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
