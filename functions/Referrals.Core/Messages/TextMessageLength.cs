using Referrals.Rendering;

namespace Referrals.Messages;

public enum SmsEncoding
{
    Gsm7,
    Ucs2,
}

/// <summary>
/// A text message's length exactly as GOV.UK Notify counts it (alphagov/notifications-utils at
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, <c>notifications_utils/template.py</c>, <c>BaseSMSTemplate</c>: the
/// content, lines 309-325; <c>content_count</c>, 229-244; <c>fragment_count</c>, 258-266; <c>non_gsm_characters</c>,
/// 280-287; <c>is_message_too_long</c>, 289-296). Notify first tidies the rendered template (no space before a comma
/// or full stop, white space normalised on every line, at most one blank line, no white space at either end), then
/// sends every character that is neither GSM-7 nor one of its Welsh letters as a look-alike (’ → ', – → -, … → ...,
/// é-like letters without their accent, anything else "?"): <see cref="AsSent"/>. The text is Unicode (UCS-2: 70
/// characters in one fragment, 67 in each of more) only when it has a Welsh letter that GSM-7 lacks (â, ŵ, ŷ…);
/// otherwise GSM-7 (160, then 153), where each character of the extension table (€, [, ] …) counts twice. Notify
/// refuses a text of more than <see cref="MaxCharacters"/> characters (<see cref="Characters"/>, extension characters
/// counted once, as Notify's limit counts them).
/// </summary>
/// <param name="Characters">Notify's <c>content_count</c>: the characters it sends.</param>
/// <param name="Units">The characters as the encoding counts them (GSM-7: extension characters twice).</param>
public readonly record struct TextMessageLength(SmsEncoding Encoding, int Characters, int Units, int Fragments)
{
    /// <summary><c>SMS_CHAR_COUNT_LIMIT</c> (notifications_utils/__init__.py line 7): 6 fragments of 153 GSM-7 characters.</summary>
    public const int MaxCharacters = 918;

    public bool TooLong => Characters > MaxCharacters;

    /// <summary>The length of a rendered template (the personalisation filled in) once Notify has tidied and downgraded it.</summary>
    public static TextMessageLength Of(string rendered)
    {
        var content = Content(rendered);
        var characters = NotifyText.Sanitise(content, NotifyText.Sms).Length;
        if (content.AsSpan().IndexOfAny(NotifyText.WelshNotGsm) >= 0)
        {
            return new TextMessageLength(SmsEncoding.Ucs2, characters, characters, characters <= 70 ? 1 : (characters + 66) / 67);
        }

        var units = characters + content.Count(c => NotifyText.GsmExtension.Contains(c, StringComparison.Ordinal));
        return new TextMessageLength(SmsEncoding.Gsm7, characters, units, units <= 160 ? 1 : (units + 152) / 153);
    }

    /// <summary>The text exactly as Notify sends it (<c>SMSMessageTemplate.__str__</c>, template.py lines 328-330).</summary>
    public static string AsSent(string rendered) => NotifyText.Sanitise(Content(rendered), NotifyText.Sms);

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

    /// <summary><c>unsanitised_content</c> without a prefix (the force's service in Notify does not add its name: docs/operations.md).</summary>
    private static string Content(string rendered) =>
        NotifyText.PythonStrip(NotifyText.NormaliseMultipleNewlines(string.Join("\n", NotifyText.NormalisedLines(NotifyText.RemoveWhitespaceBeforePunctuation(rendered)))));
}
