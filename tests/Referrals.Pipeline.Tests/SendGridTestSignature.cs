using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Referrals.Pipeline.Tests;

/// <summary>Signs a body as SendGrid's Signed Event Webhook does (ECDSA P-256, SHA-256, DER, Base64, over timestamp + body): the tests' own keys.</summary>
internal static class SendGridTestSignature
{
    public static (string Signature, string Timestamp) Sign(ECDsa key, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp), .. body];
        return (Convert.ToBase64String(key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)), timestamp);
    }

    /// <summary>The key as SendGrid shows it (Base64 DER SubjectPublicKeyInfo).</summary>
    public static string PublicKeyOf(ECDsa key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
}
