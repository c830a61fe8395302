using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Referrals.StandIns.SendGrid;

/// <summary>
/// SendGrid's Signed Event Webhook, the signing side (its documentation, "Getting Started with the Event Webhook Security
/// Features", sendgrid/docs at commit 05165fd8dd67a0369b114c72995d7c05dbdd5266,
/// content/docs/for-developers/tracking-events/getting-started-event-webhook-security-features.md): an ECDSA P-256
/// key pair; the signature is over the timestamp header's text followed by the raw body (SHA-256, ASN.1 DER, Base64).
/// The public key is shown as Base64 DER SubjectPublicKeyInfo.
/// </summary>
public sealed class SendGridSigner : IDisposable
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The verification key, as SendGrid shows it under Mail Settings.</summary>
    public string PublicKey => Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());

    /// <summary>The two headers SendGrid sends with <paramref name="body"/> at <paramref name="at"/>.</summary>
    public (string Signature, string Timestamp) Sign(ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(written));
        lock (_key)
        {
            return (Convert.ToBase64String(_key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)), timestamp);
        }
    }

    public void Dispose() => _key.Dispose();
}
