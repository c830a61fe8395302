using System.Security.Cryptography;
using System.Text;

namespace Referrals.Contact;

/// <summary>The send a message token names: the crime, the victim, the channel and the send's number.</summary>
public readonly record struct MessageSend(string CrimeReference, string VictimId, Channel Channel, int Attempt);

/// <summary>
/// Issue 22: the one opaque token every message attempt carries to its provider (GOV.UK Notify's <c>reference</c>; our
/// email's <c>Message-ID</c> and SendGrid's only custom arg), so that a receipt finds its send again with no index row:
/// authenticated encryption (AES-256-GCM) of (crime, victim, channel, attempt) under a key only the pipeline holds.
/// Nothing about the crime or the victim can be read from it without the key, and a token changed by one bit is refused.
/// The nonce is a keyed hash of the send (SIV-style), so the same send always gets the same token (a resend of that
/// send, a look-up by reference) and two sends never share a nonce. Tokens start <see cref="Prefix"/>; references of
/// the earlier, readable format (<see cref="MessageReference"/>) are still accepted where the providers keep them.
/// </summary>
public sealed class MessageToken
{
    public const string Prefix = "rt1.";

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const char Separator = '\u001f';

    private readonly byte[] _encryption;
    private readonly byte[] _nonces;

    /// <param name="key">At least 32 bytes of secret key material; the encryption key and the nonce key are derived from it (HKDF-SHA256).</param>
    public MessageToken(ReadOnlySpan<byte> key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("A message token key has at least 32 bytes.", nameof(key));
        }

        _encryption = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ToArray(), 32, info: "referrals message token v1 encryption"u8.ToArray());
        _nonces = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ToArray(), 32, info: "referrals message token v1 nonce"u8.ToArray());
    }

    public string Seal(MessageSend send)
    {
        var plain = Encoding.UTF8.GetBytes(string.Join(Separator, send.CrimeReference, send.VictimId, Letter(send.Channel), send.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        HMACSHA256.HashData(_nonces, plain).AsSpan(0, NonceBytes).CopyTo(nonce);
        using var aes = new AesGcm(_encryption, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), "rt1"u8);
        return Prefix + Convert.ToBase64String(sealedBytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The send a token names, or false: not a token, not sealed under this key, or changed.</summary>
    public bool TryOpen(string? token, out MessageSend send)
    {
        send = default;
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 1024)
        {
            return false;
        }

        byte[] sealedBytes;
        try
        {
            var text = token[Prefix.Length..].Replace('-', '+').Replace('_', '/');
            sealedBytes = Convert.FromBase64String(text + new string('=', (4 - (text.Length % 4)) % 4));
        }
        catch (FormatException)
        {
            return false;
        }

        if (sealedBytes.Length <= NonceBytes + TagBytes)
        {
            return false;
        }

        var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(_encryption, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), plain, "rt1"u8);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        if (Encoding.UTF8.GetString(plain).Split(Separator) is not [var crime, var victim, [var c], var attemptText] || crime.Length == 0 || victim.Length == 0
            || ChannelOf(c) is not { } channel
            || !int.TryParse(attemptText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt))
        {
            return false;
        }

        send = new MessageSend(crime, victim, channel, attempt);
        return true;
    }

    /// <summary>
    /// A Notify reference of either format: a token, or the readable one of before issue 22 (still accepted for Notify's
    /// retention), or false.
    /// </summary>
    public bool TryOpenNotify(string? reference, out MessageSend send)
    {
        if (TryOpen(reference, out send))
        {
            return send.Channel != Channel.Email;
        }

        if (MessageReference.TryParseNotify(reference, out var old))
        {
            send = new MessageSend(old.CrimeReference, old.VictimId, old.Channel, old.Attempt);
            return true;
        }

        return false;
    }

    /// <summary>The reference a text message's or letter's send carries: its token, or without a key the readable reference of before issue 22.</summary>
    public static string NotifyReference(MessageToken? tokens, string crimeReference, string victimId, Channel channel, int attempt) =>
        tokens?.Seal(new MessageSend(crimeReference, victimId, channel, attempt)) ?? MessageReference.Notify(crimeReference, victimId, channel, attempt);

    private static char Letter(Channel channel) => channel switch
    {
        Channel.Email => 'e',
        Channel.Sms => 's',
        _ => 'l',
    };

    private static Channel? ChannelOf(char c) => c switch
    {
        'e' => Channel.Email,
        's' => Channel.Sms,
        'l' => Channel.Letter,
        _ => null,
    };
}
