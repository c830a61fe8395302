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
    WelshLetter,

    /// <summary>Welsh then English, one letter (Notify's bilingual letter template).</summary>
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
    IReadOnlyDictionary<string, object> Personalisation,
    string Situation);

/// <summary>
/// The text message and the letter a victim is sent through Notify, in the words of <see cref="TextMessageComposer"/>
/// and <see cref="LetterComposer"/>: Welsh for a victim who prefers it and bilingual (Welsh first) where the force is,
/// as far as the force has set up the templates in Notify (<paramref name="available"/>); otherwise English, which
/// every force has. Only for a channel the decision's contact plan makes safe.
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

        var welsh = texts.Compose(snapshot, victim, decision) is { Language: "cy" } cy && available.Contains(NotifyTemplateKind.WelshText) ? cy : null;
        var text = welsh ?? texts.Compose(snapshot, victim, decision, "en");
        return new NotifyMessage(Channel.Sms, welsh is null ? NotifyTemplateKind.EnglishText : NotifyTemplateKind.WelshText,
            decision.CrimeReference, decision.VictimId, phone, text.Personalisation, text.Situation);
    }

    private NotifyMessage? Letter(CrimeEvent snapshot, Victim victim, VictimDecision decision, IReadOnlySet<NotifyTemplateKind> available)
    {
        if (decision.Contact[Channel.Letter] is not { Safe: true } || letters.Compose(snapshot, victim, decision) is not { } letter)
        {
            return null;
        }

        var pages = letter.Pages.ToDictionary(p => p.Language, StringComparer.Ordinal);
        var (template, personalisation) = (pages.GetValueOrDefault("cy"), pages.GetValueOrDefault("en")) switch
        {
            ({ } cy, { } en) when available.Contains(NotifyTemplateKind.BilingualLetter) => (NotifyTemplateKind.BilingualLetter, Bilingual(cy, en)),
            ({ } cy, _) when letter.Preferred == "cy" && available.Contains(NotifyTemplateKind.WelshLetter) => (NotifyTemplateKind.WelshLetter, cy.Personalisation),
            (_, { } en) => (NotifyTemplateKind.EnglishLetter, en.Personalisation),
            _ => (NotifyTemplateKind.EnglishLetter, letter.Pages[0].Personalisation),
        };
        return new NotifyMessage(Channel.Letter, template, decision.CrimeReference, decision.VictimId, null, personalisation, letter.Situation);
    }

    /// <summary>One personalisation for both halves: the English names as they are, the Welsh half's with <see cref="MessageTemplates.WelshSuffix"/>; the address (printed once) in Welsh.</summary>
    private static Dictionary<string, object> Bilingual(LetterPage welsh, LetterPage english)
    {
        var personalisation = new Dictionary<string, object>(english.Personalisation, StringComparer.Ordinal);
        foreach (var (name, value) in welsh.Personalisation)
        {
            personalisation[MessageTemplates.IsAddressLine(name) ? name : name + MessageTemplates.WelshSuffix] = value;
        }

        return personalisation;
    }
}
