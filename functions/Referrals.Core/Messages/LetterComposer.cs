using Referrals.Contact;
using Referrals.Contract;
using Referrals.Rendering;
using Referrals.Rules;

namespace Referrals.Messages;

/// <summary>One language's page of a letter: the personalisation for that language's Notify letter template, and the letter as Notify prints it.</summary>
public sealed record LetterPage(string Language, IReadOnlyDictionary<string, object> Personalisation, string Body);

/// <summary>
/// A composed entitlement letter: one page set per language; a bilingual letter (a victim who prefers Welsh, or any
/// victim of a bilingual force) is Welsh first, as GOV.UK Notify prints bilingual letters. Personal data (the
/// address): never logged.
/// </summary>
/// <param name="Preferred">The victim's language among the templates' ("en" when none fits).</param>
public sealed record Letter(IReadOnlyList<LetterPage> Pages, string Situation, string Preferred)
{
    public string Language => Pages[0].Language;

    /// <summary>The letter as one HTML page for review (each language a section of its own).</summary>
    public string ToHtml() => NotifyTemplate.ToHtml([.. Pages.Select(p => (p.Language, p.Body))], Pages[0].Body.Split('\n')[0].TrimStart('#', ' '));
}

/// <summary>
/// The entitlement letter (rulebook section 6: the email's content for post) as GOV.UK Notify letter personalisation:
/// the address lines (the recipient's name, the address lines, the postcode last) and the values of the language's
/// <c>letter.md</c>. Every value is one line (<see cref="SafeText"/>); lists (services, the officer) are Notify lists.
/// </summary>
public sealed class LetterComposer(MessageTemplates templates, ServiceDirectory directory, ForceIdentity force)
{
    /// <summary>The letter to the victim (or a child victim's parent or guardian), or null when they have no valid postal address.</summary>
    public Letter? Compose(CrimeEvent snapshot, Victim victim, VictimDecision decision)
    {
        var forChild = decision.IsChild;
        // The plan's address when it has one: the one its safety check was made for.
        var address = decision.Contact[Channel.Letter].Post ?? (forChild ? victim.ParentOrGuardian?.Address : victim.Address);
        if (address is not { IsValid: true })
        {
            return null;
        }

        var facts = MessageFacts.Of(snapshot, victim, decision, directory, forChild);
        var primary = templates.For(victim.PreferredLanguage).Language;
        string[] languages = primary == "cy" || (primary == "en" && force.Bilingual && templates.Has("cy")) ? ["cy", "en"] : [primary];
        return new Letter([.. languages.Select(language => Page(language, facts, address))], facts.Situation, primary);
    }

    private LetterPage Page(string language, MessageFacts facts, PostalAddress address)
    {
        var welsh = language == "cy";
        // The block GOV.UK Notify checks and prints: a name it would refuse as a first line is left for "The Occupier".
        var lines = address.LetterLines(LetterAddress.Addressee(facts.GreetingName, welsh ? "Y Preswylydd" : PostalAddress.Occupier));
        var personalisation = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < 7; i++)
        {
            personalisation[$"address_line_{i + 1}"] = i < lines.Count ? lines[i] : string.Empty;
        }

        var referred = facts.ReferredServiceNames.Count > 0;
        personalisation["force_name"] = force.NameIn(language);
        personalisation["crime_reference"] = facts.CrimeReference;
        personalisation["greeting"] = facts.GreetingName.Length > 0 ? facts.GreetingName : welsh ? "Syr neu Fadam" : "Sir or Madam";
        personalisation["stay_safe"] = TextMessageComposer.YesNo(facts.StaySafeOnline);
        personalisation["bereaved"] = TextMessageComposer.YesNo(facts.Bereaved);
        personalisation["for_child"] = TextMessageComposer.YesNo(facts.ForChild && !facts.Bereaved);
        personalisation["for_victim"] = TextMessageComposer.YesNo(!facts.ForChild && !facts.Bereaved);
        personalisation["auto_referred"] = TextMessageComposer.YesNo(facts.Referral == ReferralOutcome.AutoReferred && referred);
        personalisation["referred"] = TextMessageComposer.YesNo(facts.Referral == ReferralOutcome.Referred && referred);
        personalisation["referred_services"] = referred ? facts.ReferredServiceNames : string.Empty;
        personalisation["awaiting_consent"] = TextMessageComposer.YesNo(facts.Referral == ReferralOutcome.AwaitingConsent);
        personalisation["declined"] = TextMessageComposer.YesNo(facts.Referral == ReferralOutcome.Declined);
        personalisation["opted_out"] = TextMessageComposer.YesNo(facts.Referral == ReferralOutcome.OptedOut);
        personalisation["no_service_referred"] = TextMessageComposer.YesNo(facts.Referral is ReferralOutcome.AutoReferred or ReferralOutcome.Referred && !referred);
        personalisation["enhanced"] = TextMessageComposer.YesNo(facts.Enhanced);
        personalisation["standard"] = TextMessageComposer.YesNo(!facts.Enhanced);
        personalisation["services"] = facts.Services.Select(s => Service(s, welsh)).ToList();
        personalisation["officer"] = Officer(facts.Officer, welsh) is { Count: > 0 } officer ? officer : string.Empty;
        personalisation["vcu_phone"] = force.VictimCareUnitPhone;
        personalisation["vcu_email"] = force.VictimCareUnitEmail;
        personalisation["force_phone_wording"] = force.PhoneWordingIn(language);
        personalisation["force_website"] = force.Website.AbsoluteUri;
        personalisation["privacy_url"] = force.PrivacyNotice.AbsoluteUri;
        return new LetterPage(language, personalisation, NotifyTemplate.Render(templates.For(language).Letter, personalisation));
    }

    private static string Service(ServiceEntry service, bool welsh)
    {
        var parts = new List<string>();
        if (SafeContact.TryPhone(service.SelfReferral.Phone, out var phone))
        {
            parts.Add($"{(welsh ? "ffôn" : "phone")} {phone}");
        }

        if (SafeContact.TryEmail(service.SelfReferral.Email, out var email))
        {
            parts.Add($"{(welsh ? "e-bost" : "email")} {email}");
        }

        if (service.SelfReferral.Website is { IsAbsoluteUri: true } website && MessageFacts.Text(website.AbsoluteUri) is { } site)
        {
            parts.Add($"{(welsh ? "gwefan" : "website")} {site}");
        }

        if (MessageFacts.Text(service.SelfReferral.Hours) is { } hours)
        {
            parts.Add($"{(welsh ? "ar agor" : "open")} {hours}");
        }

        return $"{SafeText.OneLine(service.Name)}: {string.Join(", ", parts)}";
    }

    private static List<string> Officer(OfficerInCase? officer, bool welsh)
    {
        if (officer is null)
        {
            return [];
        }

        var lines = new List<string>();
        var label = welsh ? "Y swyddog sy'n delio â'ch achos" : "The officer dealing with your case";
        lines.Add(officer.Name is { } name ? $"{label}: {name}" : label);
        if (officer.Email is { } email)
        {
            lines.Add($"{(welsh ? "E-bost" : "Email")}: {email}");
        }

        if (officer.Phone is { } phone)
        {
            lines.Add($"{(welsh ? "Ffôn" : "Phone")}: {phone}");
        }

        return lines;
    }
}
