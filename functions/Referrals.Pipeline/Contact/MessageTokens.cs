using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Logging;

namespace Referrals.Pipeline.Contact;

/// <summary>
/// The pipeline's <see cref="MessageToken"/> (issue 22): its key derived (HKDF-SHA256, its own label) from the log-hash key,
/// a Key Vault secret the app already requires, as the worklist's anti-forgery key is. Rotating that secret makes the
/// tokens of messages already sent unreadable: their receipts are then counted as unknown, so rotate it only when no
/// message awaits a receipt (docs/receipts.md).
/// </summary>
public static class MessageTokens
{
    public static MessageToken From(IOptions<LogRedactionOptions> options) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.HashKey), 32, info: "referrals message token key v1"u8.ToArray()));
}
