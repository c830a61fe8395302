using System.Globalization;
using System.Text;
using Referrals.Receipts;
using SendGrid.Helpers.EventWebhook;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// SendGrid's Signed Event Webhook, checked by SendGrid's own <see cref="RequestValidator"/> (the SendGrid package): an
/// ECDSA P-256 signature over the timestamp header's text followed by the body, with the public key SendGrid shows under
/// Mail Settings (Base64 DER; PEM is accepted too). The validator takes the body as a string and signs its UTF-8 bytes,
/// so the raw bytes are decoded as strict UTF-8 first: a body that is not UTF-8 cannot be what SendGrid signed (it posts
/// JSON, which is UTF-8) and is refused as forged. The timestamp's age is checked after the signature (so a forged
/// request is always reported as forged) against <see cref="ReceiptLimits.MaxSignatureAge"/>: SendGrid retries a batch
/// for up to 24 hours and documents no fresh signature for a retry (docs/receipts.md).
/// </summary>
public sealed class SendGridSignature
{
    public const string SignatureHeader = RequestValidator.SIGNATURE_HEADER;
    public const string TimestampHeader = RequestValidator.TIMESTAMP_HEADER;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly EllipticCurve.PublicKey? _publicKey;

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

        string payload;
        try
        {
            payload = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return RequestCheck.Forged;
        }

        if (!Verifies(_publicKey, payload, signature, timestamp))
        {
            return RequestCheck.Forged;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age > ReceiptLimits.MaxSignatureAge || -age > ReceiptLimits.MaxClockSkew ? RequestCheck.Stale : RequestCheck.Valid;
    }

    private static bool Verifies(EllipticCurve.PublicKey publicKey, string payload, string signature, string timestamp)
    {
        try
        {
            return new RequestValidator().VerifySignature(publicKey, payload, signature, timestamp);
        }
#pragma warning disable CA1031 // The library's DER and Base64 parsers throw several exception types on hostile input: each is a forgery.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>The key when it is a P-256 public key SendGrid's library reads, else null (and every request is refused).</summary>
    private static EllipticCurve.PublicKey? Decode(string? publicKey)
    {
        if (string.IsNullOrWhiteSpace(publicKey))
        {
            return null;
        }

        var text = publicKey.Replace("-----BEGIN PUBLIC KEY-----", string.Empty, StringComparison.Ordinal)
            .Replace("-----END PUBLIC KEY-----", string.Empty, StringComparison.Ordinal);
        try
        {
            var key = new RequestValidator().ConvertPublicKeyToECDSA(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
            return key.curve.name == "prime256v1" ? key : null;
        }
#pragma warning disable CA1031 // As above: a key the library cannot read is no key.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
