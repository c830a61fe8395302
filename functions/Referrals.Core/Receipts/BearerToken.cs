using System.Security.Cryptography;
using System.Text;

namespace Referrals.Receipts;

/// <summary>The bearer token GOV.UK Notify is configured to send with its callbacks (<c>Authorization: Bearer …</c>).</summary>
public sealed class BearerToken
{
    private readonly byte[]? _expected;

    public BearerToken(string? token) => _expected = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public RequestCheck Check(string? authorization)
    {
        if (_expected is null)
        {
            return RequestCheck.NotConfigured;
        }

        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            return RequestCheck.Missing;
        }

        // Hashes of equal length compared in constant time: neither the token's characters nor its length leak through timing.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected) ? RequestCheck.Valid : RequestCheck.Forged;
    }
}
