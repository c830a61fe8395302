using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Referrals.Outcomes;

/// <summary>How a request's signature checks out; only <see cref="Valid"/> lets it through.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>A header is missing or not in its form, or the service has no secret configured (closed, never open).</summary>
    Missing,

    /// <summary>The timestamp is outside the replay window.</summary>
    Stale,

    /// <summary>The signature is not one of the service's secrets' (forged, or altered on the way).</summary>
    Invalid,
}

/// <summary>
/// The outcome API's request signature (docs/outcomes.md): HMAC-SHA256, with the service's secret, of five lines joined by
/// "\n": the method in capitals, the path, the query string without its "?" (as sent), the timestamp (Unix seconds, as
/// sent), and the lower-case hex SHA-256 of the body. Sent as <c>v1=</c> and lower-case hex. Two secrets may be valid at
/// once (rotation); each is compared in constant time. The timestamp must be within the replay window of now.
/// </summary>
public static class OutcomeSignature
{
    public const string ServiceHeader = "X-Referrals-Service";
    public const string TimestampHeader = "X-Referrals-Timestamp";
    public const string SignatureHeader = "X-Referrals-Signature";

    public static string Canonical(string method, string path, string query, string timestamp, ReadOnlySpan<byte> body) =>
        string.Join('\n', method.ToUpperInvariant(), path, query.TrimStart('?'), timestamp, Convert.ToHexStringLower(SHA256.HashData(body)));

    public static string Sign(string secret, string canonical) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(canonical)));

    /// <summary>The shortest secret taken: 32 characters (a shorter one is a mistake, and is ignored).</summary>
    public const int MinSecretLength = 32;

    /// <param name="secrets">
    /// The service's secrets in force. Empty, short ones, and a Key Vault reference App Service could not resolve (it then
    /// passes the reference on as the value, which anyone can read in the repository) are ignored: none left is <see cref="SignatureCheck.Missing"/>.
    /// </param>
    public static SignatureCheck Check(IEnumerable<string?> secrets, string method, string path, string query, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan window)
    {
        var keys = secrets.Where(s => s is { Length: >= MinSecretLength } && !s.StartsWith("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase)).Select(s => s!).ToList();
        if (keys.Count == 0 || signature is not { Length: 67 } || !signature.StartsWith("v1=", StringComparison.Ordinal)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            return SignatureCheck.Missing;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > window)
        {
            return SignatureCheck.Stale;
        }

        var canonical = Canonical(method, path, query, timestamp!, body);
        var given = Encoding.ASCII.GetBytes(signature);
        var valid = false;
        foreach (var key in keys)
        {
            valid |= CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Sign(key, canonical)));
        }

        return valid ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }
}
