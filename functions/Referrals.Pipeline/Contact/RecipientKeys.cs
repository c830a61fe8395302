using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Logging;

namespace Referrals.Pipeline.Contact;

/// <summary>
/// The keyed hash of an email address for the recipient index (issue 22): HMAC-SHA256 under a key derived (HKDF-SHA256,
/// its own label) from the log-hash key, as <see cref="MessageTokens"/> derives the tokens' key, in hex. Without the key
/// the address cannot be tried against it; the address itself is never stored.
/// </summary>
public sealed class RecipientKeys(byte[] key)
{
    public static RecipientKeys From(IOptions<LogRedactionOptions> options) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.HashKey), 32, info: "referrals recipient address key v1"u8.ToArray()));

    /// <summary>The key of an address, already trimmed and lower-cased (<see cref="Referrals.Receipts.SendGridEvents"/>).</summary>
    public string Of(string address) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(address)));
}
