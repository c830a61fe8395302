namespace Referrals.Messages;

public enum SmsEncoding
{
    Gsm7,
    Ucs2,
}

/// <summary>
/// How many fragments (billed parts) a text message takes: GSM 03.38 7-bit when every character is in its basic set
/// or extension table (an extension character counts twice), else UCS-2. One fragment holds 160 GSM-7 characters or
/// 70 UCS-2 ones; a longer message is split into fragments of 153 or 67. A Welsh â, ŵ or ŷ forces UCS-2.
/// </summary>
public readonly record struct TextMessageLength(SmsEncoding Encoding, int Units, int Fragments)
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "^{}\\[~]|€\f";

    public static TextMessageLength Of(string body)
    {
        var gsm = 0;
        foreach (var c in body)
        {
            if (Basic.Contains(c, StringComparison.Ordinal))
            {
                gsm++;
            }
            else if (Extension.Contains(c, StringComparison.Ordinal))
            {
                gsm += 2;
            }
            else
            {
                // UTF-16 code units: a character outside the BMP (an emoji) takes two, as it does on the wire.
                var units = body.Length;
                return new TextMessageLength(SmsEncoding.Ucs2, units, units <= 70 ? 1 : (units + 66) / 67);
            }
        }

        return new TextMessageLength(SmsEncoding.Gsm7, gsm, gsm <= 160 ? 1 : (gsm + 152) / 153);
    }

    /// <summary>The most characters a message may take in this many fragments, in its encoding.</summary>
    public static int Capacity(SmsEncoding encoding, int fragments) => (encoding, fragments) switch
    {
        (SmsEncoding.Gsm7, 1) => 160,
        (SmsEncoding.Gsm7, _) => 153 * fragments,
        (SmsEncoding.Ucs2, 1) => 70,
        _ => 67 * fragments,
    };

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Encoding} {Units} characters, {Fragments} fragment(s)");
}
