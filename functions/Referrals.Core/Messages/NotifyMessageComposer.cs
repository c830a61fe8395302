using Referrals.Contact;
using Referrals.Contract;
using Referrals.Rules;

namespace Referrals.Messages;

/// <summary>The force's GOV.UK Notify templates a message can use; each has its id in settings (Notify:*TemplateId).</summary>
public enum NotifyTemplateKind
{
    EnglishText,
    WelshText,
    EnglishLetter,

    /// <summary>Welsh then English, one letter (Notify's bilingual letter template): the letter in Welsh, as the email is.</summary>
    BilingualLetter,
}

/// <summary>
/// A text message or a letter for GOV.UK Notify: the template, the recipient (a +447 number; a letter's address is in
/// its personalisation) and the personalisation (text, or a list of lines Notify shows as bullets), which carries only
/// what the message shows. Personal data: it goes to Notify or the local outbox, never into a log.
/// </summary>
public sealed record NotifyMessage(
    Channel Channel,
    NotifyTemplateKind Template,
    string CrimeReference,
    string VictimId,
    string? PhoneNumber,
    IReadOnlyDictionary<string, object> Personalisation) : IEntitlementMessage;

/// <summary>
/// The text message and the letter a victim is sent through Notify, in the words of <see cref="TextMessageComposer"/>
/// and <see cref="LetterComposer"/>, only for a channel the decision's contact plan makes safe. As with the email, a
/// victim who prefers Welsh is texted in Welsh and written to in Welsh then English, and so is every victim of a
/// bilingual force by letter; as far as the force has set the templates up in Notify (the kinds available), and
/// otherwise in English, which every force has: never nothing.
/// </summary>
public sealed class NotifyMessageComposer(TextMessageComposer texts, LetterComposer letters)
{
    public NotifyMessage? Compose(Channel channel, CrimeEvent snapshot, Victim victim, VictimDecision decision, IReadOnlySet<NotifyTemplateKind> available) =>
        channel switch
        {
            Channel.Sms => Text(snapshot, victim, decision, available),
            Channel.Letter => Letter(snapshot, victim, decision, available),
            _ => null,
        };

    private NotifyMessage? Text(CrimeEvent snapshot, Victim victim, VictimDecision decision, IReadOnlySet<NotifyTemplateKind> available)
    {
        if (decision.Contact[Channel.Sms] is not { Safe: true, To: { } phone })
        {
            return null;
        }

        // Composed again in English only when the victim's language has no template in Notify.
        var text = texts.Compose(snapshot, victim, decision) is var preferred && (preferred.Language == "en" || (preferred.Language == "cy" && available.Contains(NotifyTemplateKind.WelshText)))
            ? preferred
            : texts.Compose(snapshot, victim, decision, "en");
        return new NotifyMessage(Channel.Sms, text.Language == "cy" ? NotifyTemplateKind.WelshText : NotifyTemplateKind.EnglishText,
            decision.CrimeReference, decision.VictimId, phone, text.Personalisation);
    }

    private NotifyMessage? Letter(CrimeEvent snapshot, Victim victim, VictimDecision decision, IReadOnlySet<NotifyTemplateKind> available)
    {
        if (decision.Contact[Channel.Letter] is not { Safe: true } || letters.Compose(snapshot, victim, decision) is not { } letter)
        {
            return null;
        }

        var pages = letter.Pages.ToDictionary(p => p.Language, StringComparer.Ordinal);
        if (pages.GetValueOrDefault("cy") is { } cy && pages.GetValueOrDefault("en") is { } en && available.Contains(NotifyTemplateKind.BilingualLetter))
        {
            return new NotifyMessage(Channel.Letter, NotifyTemplateKind.BilingualLetter, decision.CrimeReference, decision.VictimId, null,
                Bilingual(cy, en, pages.GetValueOrDefault(letter.Preferred) ?? cy));
        }

        // English, which every force has: a letter in a language with no English page (a third folder) is composed again.
        var english = pages.GetValueOrDefault("en") ?? letters.Compose(snapshot, victim with { PreferredLanguage = "en" }, decision)?.Pages.FirstOrDefault(p => p.Language == "en");
        return english is null ? null : new NotifyMessage(Channel.Letter, NotifyTemplateKind.EnglishLetter, decision.CrimeReference, decision.VictimId, null, english.Personalisation);
    }

    /// <summary>
    /// One personalisation for both halves: the English names as they are, the Welsh half's with
    /// <see cref="MessageTemplates.WelshSuffix"/>; the address, printed once, in the victim's language.
    /// </summary>
    private static Dictionary<string, object> Bilingual(LetterPage welsh, LetterPage english, LetterPage preferred)
    {
        var personalisation = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in english.Personalisation.Where(p => !MessageTemplates.IsAddressLine(p.Key)))
        {
            personalisation[name] = value;
        }

        foreach (var (name, value) in welsh.Personalisation.Where(p => !MessageTemplates.IsAddressLine(p.Key)))
        {
            personalisation[name + MessageTemplates.WelshSuffix] = value;
        }

        foreach (var (name, value) in preferred.Personalisation.Where(p => MessageTemplates.IsAddressLine(p.Key)))
        {
            personalisation[name] = value;
        }

        return personalisation;
    }
}
