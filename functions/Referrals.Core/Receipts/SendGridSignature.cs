using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Referrals.Receipts;

/// <summary>
/// SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (ASN.1 DER, Base64, header
/// <see cref="SignatureHeader"/>) over the timestamp header's text followed by the raw body, checked with the public key
/// SendGrid shows under Mail Settings (Base64 DER SubjectPublicKeyInfo; PEM is accepted too).
/// </summary>
public sealed class SendGridSignature
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    private readonly byte[]? _publicKey;

    public SendGridSignature(string? publicKey) => _publicKey = Decode(publicKey);

    public bool IsConfigured => _publicKey is not null;

    public RequestCheck Check(string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (_publicKey is null)
        {
            return RequestCheck.NotConfigured;
        }

        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return RequestCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return RequestCheck.Forged;
        }

        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(written));
        if (!Verifies(_publicKey, signed, signature))
        {
            return RequestCheck.Forged;
        }

        // Checked after the signature, so that a forged request is always called forged whatever its timestamp says.
        return (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > ReceiptLimits.MaxSignatureAge ? RequestCheck.Stale : RequestCheck.Valid;
    }

    /// <summary>The two headers SendGrid would send with <paramref name="body"/>: what the local SendGrid stand-in and the tests sign with.</summary>
    public static (string Signature, string Timestamp) Sign(ECDsa privateKey, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, signed);
        body.CopyTo(signed.AsSpan(written));
        return (Convert.ToBase64String(privateKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)), timestamp);
    }

    /// <summary>A public key in SendGrid's form (Base64 DER SubjectPublicKeyInfo), for a key pair made locally.</summary>
    public static string PublicKeyOf(ECDsa key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    // A fresh key object per check: ECDsa instances are not documented as safe to share between threads.
    private static bool Verifies(byte[] publicKey, byte[] signed, string signature)
    {
        var bytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
        {
            return false;
        }

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(publicKey, out _);
        return key.VerifyData(signed, bytes.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>The key's DER bytes when it is a P-256 public key, else null (and every request is refused).</summary>
    private static byte[]? Decode(string? publicKey)
    {
        if (string.IsNullOrWhiteSpace(publicKey))
        {
            return null;
        }

        var text = publicKey.Replace("-----BEGIN PUBLIC KEY-----", string.Empty, StringComparison.Ordinal)
            .Replace("-----END PUBLIC KEY-----", string.Empty, StringComparison.Ordinal);
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))), bytes, out var length))
        {
            return null;
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(bytes.AsSpan(0, length), out _);
            return key.ExportParameters(false).Curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value ? bytes[..length] : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
