using Referrals.Contract;
using Referrals.Rules;

namespace Referrals.Messages;

/// <summary>
/// A composed entitlement text message: the body exactly as Notify will send it (tidied and with its look-alikes:
/// <see cref="TextMessageLength.AsSent"/>), the personalisation that produces it from the language's template
/// (<see cref="MessageTemplates"/>), and its length as Notify counts it. Personal data: never logged.
/// </summary>
public sealed record TextMessage(string Language, string Body, IReadOnlyDictionary<string, object> Personalisation, TextMessageLength Length, string Situation);

/// <summary>
/// The entitlement text message (rulebook section 6): the force, the crime reference, 999, condolence for a bereaved
/// relative, how to say texts are not safe (consent pathway, stalking, harassment), the most useful contact and the
/// GOV.UK link; no name, since anyone may see a phone's screen. English fits 2 GSM-7 fragments (306 characters); a
/// Welsh text is Welsh only and fits 3 fragments whatever its encoding (201 characters, as Unicode would allow), with
/// the longest values the contract allows. When the force's full name or the service's name would not fit, the
/// force's short name and the number alone are used.
/// </summary>
public sealed class TextMessageComposer(MessageTemplates templates, ServiceDirectory directory, ForceIdentity force)
{
    public const int EnglishFragments = 2;
    public const int WelshCharacters = 201;

    /// <summary>The text for the victim, or for a child victim's parent or guardian.</summary>
    /// <param name="language">The language to write in instead of the victim's preferred one (Notify has no template in it).</param>
    public TextMessage Compose(CrimeEvent snapshot, Victim victim, VictimDecision decision, string? language = null)
    {
        var template = templates.For(language ?? victim.PreferredLanguage);
        var facts = MessageFacts.Of(snapshot, victim, decision, directory, decision.IsChild);
        TextMessage? last = null;
        foreach (var (name, withService) in new[] { (force.NameIn(template.Language), true), (force.ShortName, true), (force.NameIn(template.Language), false), (force.ShortName, false) })
        {
            var personalisation = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["force_name"] = name,
                ["crime_reference"] = facts.CrimeReference,
                ["bereaved"] = YesNo(facts.Bereaved),
                ["stay_safe"] = YesNo(facts.StaySafeOnline),
                ["help"] = Help(facts, template.Language, withService),
            };
            var rendered = NotifyTemplate.Render(template.TextMessage, personalisation);
            last = new TextMessage(template.Language, TextMessageLength.AsSent(rendered), personalisation, TextMessageLength.Of(rendered), facts.Situation);
            if (Fits(last))
            {
                return last;
            }
        }

        return last!;
    }

    /// <summary>English: 2 GSM-7 fragments; any other language: 201 characters, which is 3 fragments even in UCS-2.</summary>
    public static bool Fits(TextMessage message) => message.Language == "en"
        ? message.Length.Encoding == SmsEncoding.Gsm7 && message.Length.Fragments <= EnglishFragments
        : message.Length.Characters <= WelshCharacters && message.Length.Fragments <= 3;

    private string Help(MessageFacts facts, string language, bool withService) => facts.MostUsefulContact switch
    {
        { } contact when withService => language == "cy" ? $"{contact.Name}, {contact.Phone}" : $"{contact.Name} on {contact.Phone}",
        { } contact => contact.Phone,
        null => force.VictimCareUnitPhone,
    };

    internal static string YesNo(bool value) => value ? "yes" : "no";
}
