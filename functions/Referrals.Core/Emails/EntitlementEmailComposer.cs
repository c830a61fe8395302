using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Referrals.Contract;
using Referrals.Messages;
using Referrals.Rendering;
using Referrals.Rules;
using Stubble.Core;
using Stubble.Core.Builders;
using Stubble.Core.Settings;

namespace Referrals.Emails;

/// <summary>
/// Composes the Victims' Code entitlement email (rulebook section 6) from a decision and its snapshot.
/// Every value from a snapshot or the directory goes in through <see cref="SafeText.OneLine"/>, so it stays
/// on its line in the text part and the subject (never a second line, header or heading); the HTML part
/// also encodes every value; Mustache never renders a value as a template. The officer's email and phone
/// are included only when they are one valid address or number.
/// </summary>
public sealed partial class EntitlementEmailComposer
{
    public const string NationalSupportUrl = MessageFacts.NationalSupportUrl;

    private static readonly RenderSettings HtmlSettings = new();
    private static readonly RenderSettings TextSettings = new() { SkipHtmlEncoding = true };

    /// <summary>Every name a template may use; anything else is a typo that would silently print nothing.</summary>
    public static readonly IReadOnlySet<string> KnownNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "crimeReference", "greetingName", "forChild", "forVictim", "bereaved", "childName", "autoReferred", "referred",
        "awaitingConsent", "declined", "optedOut", "noServiceReferred", "referredServiceNames", "enhanced", "staySafeOnline", "services",
        "nationalSupportUrl", "officer", "name", "description", "phone", "phoneTel", "email", "website", "hours",
        "force.name", "force.phone", "force.phoneTel", "force.phoneWording", "force.vcuPhone", "force.vcuPhoneTel",
        "force.vcuEmail", "force.website", "force.privacyUrl",
    };

    private readonly StubbleVisitorRenderer _renderer = new StubbleBuilder().Build();
    private readonly EmailTemplates _templates;
    private readonly ServiceDirectory _directory;
    private readonly ForceIdentity _force;

    public EntitlementEmailComposer(EmailTemplates templates, ServiceDirectory directory, ForceIdentity force)
    {
        _templates = templates;
        _directory = directory;
        _force = force;
        CheckTemplates();
    }

    /// <summary>The email to send, or null when the decision suppresses it.</summary>
    public EntitlementEmail? Compose(CrimeEvent snapshot, Victim victim, VictimDecision decision)
    {
        // The rules chose the address; this also refuses one a reader could be misled by (bidi or zero-width characters).
        if (!decision.Email.Send || !SafeContact.TryEmail(decision.Email.Address, out var to))
        {
            return null;
        }

        var facts = MessageFacts.Of(snapshot, victim, decision, _directory, decision.Email.Recipient == EmailRecipient.ParentOrGuardian);
        var languages = LanguagesFor(victim.PreferredLanguage);
        var parts = languages.Select(language => Render(_templates.For(language), facts)).ToList();
        return new EntitlementEmail(
            decision.CrimeReference,
            decision.CrimeVersion,
            decision.VictimId,
            to,
            SafeText.OneLine(string.Join(" / ", parts.Select(p => p.Subject))),
            string.Join("\n\n------------------------------\n\n", parts.Select(p => p.Text.Trim())) + "\n",
            EmailLayout.Page(parts),
            parts[0].Language,
            parts.Count > 1 ? parts[1].Language : null,
            facts.Situation);
    }

    /// <summary>
    /// The languages of the email, in order: Welsh first and then English for a victim who prefers Welsh (the
    /// Welsh Language Standards); English and then Welsh when the force is bilingual; else the victim's language.
    /// </summary>
    public IReadOnlyList<string> LanguagesFor(string? preferredLanguage)
    {
        var primary = _templates.For(preferredLanguage).Language;
        return (primary, _force.Bilingual && _templates.Has("cy")) switch
        {
            ("cy", _) => ["cy", EmailTemplates.FallbackLanguage],
            (EmailTemplates.FallbackLanguage, true) => [EmailTemplates.FallbackLanguage, "cy"],
            _ => [primary],
        };
    }

    private RenderedPart Render(EmailTemplateSet templates, MessageFacts facts)
    {
        var model = Model(facts, templates.Language);
        return new RenderedPart(
            templates.Language,
            SafeText.OneLine(_renderer.Render(templates.Subject, model, TextSettings)),
            SafeText.OneLine(_renderer.Render(templates.Preview, model, TextSettings)),
            _renderer.Render(templates.TextBody, model, TextSettings),
            _renderer.Render(templates.HtmlBody, model, HtmlSettings));
    }

    private Dictionary<string, object?> Model(MessageFacts facts, string language)
    {
        var referred = facts.ReferredServiceNames.Count > 0;
        return new Dictionary<string, object?>
        {
            ["force"] = new Dictionary<string, object?>
            {
                ["name"] = _force.NameIn(language),
                ["phone"] = _force.Phone,
                ["phoneTel"] = ForceIdentity.Tel(_force.Phone),
                ["phoneWording"] = _force.PhoneWordingIn(language),
                ["vcuPhone"] = _force.VictimCareUnitPhone,
                ["vcuPhoneTel"] = ForceIdentity.Tel(_force.VictimCareUnitPhone),
                ["vcuEmail"] = _force.VictimCareUnitEmail,
                ["website"] = _force.Website.AbsoluteUri,
                ["privacyUrl"] = _force.PrivacyNotice.AbsoluteUri,
            },
            ["crimeReference"] = facts.CrimeReference,
            ["greetingName"] = facts.GreetingName is { Length: > 0 } greeting ? greeting : null,
            ["forChild"] = facts.ForChild,
            ["forVictim"] = !facts.ForChild,
            ["bereaved"] = facts.Bereaved,
            ["childName"] = facts.ChildName,
            ["autoReferred"] = facts.Referral == ReferralOutcome.AutoReferred && referred,
            ["referred"] = facts.Referral == ReferralOutcome.Referred && referred,
            ["awaitingConsent"] = facts.Referral == ReferralOutcome.AwaitingConsent,
            ["declined"] = facts.Referral == ReferralOutcome.Declined,
            ["optedOut"] = facts.Referral == ReferralOutcome.OptedOut,
            ["noServiceReferred"] = facts.Referral is ReferralOutcome.AutoReferred or ReferralOutcome.Referred && !referred,
            ["referredServiceNames"] = SafeText.OneLine(JoinNames(facts.ReferredServiceNames, language)),
            ["enhanced"] = facts.Enhanced,
            ["staySafeOnline"] = facts.StaySafeOnline,
            ["services"] = facts.Services.Select(ServiceModel).ToList(),
            ["nationalSupportUrl"] = NationalSupportUrl,
            ["officer"] = facts.Officer is { } officer
                ? new Dictionary<string, object?>
                {
                    ["name"] = officer.Name,
                    ["email"] = officer.Email,
                    ["phone"] = officer.Phone,
                    ["phoneTel"] = officer.Phone is { } phone ? ForceIdentity.Tel(phone) : null,
                }
                : null,
        };
    }

    private static Dictionary<string, object?> ServiceModel(ServiceEntry service)
    {
        var phone = SafeContact.TryPhone(service.SelfReferral.Phone, out var p) ? p : null;
        return new Dictionary<string, object?>
        {
            ["name"] = MessageFacts.Text(service.Name),
            ["description"] = MessageFacts.Text(service.Description),
            ["phone"] = phone,
            ["phoneTel"] = phone is null ? null : ForceIdentity.Tel(phone),
            ["email"] = SafeContact.TryEmail(service.SelfReferral.Email, out var email) ? email : null,
            ["website"] = service.SelfReferral.Website is { IsAbsoluteUri: true, Scheme: "https" or "http" } site ? MessageFacts.Text(site.AbsoluteUri) : null,
            ["hours"] = MessageFacts.Text(service.SelfReferral.Hours),
        };
    }

    private static string JoinNames(IReadOnlyList<string> names, string language) => names.Count switch
    {
        0 => string.Empty,
        1 => names[0],
        _ => $"{string.Join(", ", names.Take(names.Count - 1))} {(language == "cy" ? "a" : "and")} {names[^1]}",
    };

    /// <summary>Checks every template at start-up, so a typo stops the app rather than silently emptying an email.</summary>
    private void CheckTemplates()
    {
        foreach (var language in _templates.Languages)
        {
            var set = _templates.For(language);
            foreach (var (file, text) in new[] { ("subject", set.Subject), ("preview", set.Preview), ("body.txt", set.TextBody), ("body.html", set.HtmlBody) })
            {
                foreach (var name in NamesIn(text, out var raw))
                {
                    if (!KnownNames.Contains(name))
                    {
                        throw new InvalidDataException($"Email template {language}/{file} uses '{{{{{name}}}}}', which is not one of: {string.Join(", ", KnownNames)}.");
                    }

                    if (file == "body.html" && raw.Contains(name))
                    {
                        throw new InvalidDataException($"Email template {language}/{file} prints '{name}' without HTML encoding ('{{{{{{' or '{{{{&'): use '{{{{{name}}}}}'.");
                    }
                }

                try
                {
                    _renderer.Render(text, new Dictionary<string, object?>(), TextSettings);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    throw new InvalidDataException($"Email template {language}/{file} is not valid Mustache: {ex.Message}", ex);
                }
            }
        }
    }

    /// <summary>The names a template uses, in order of first use; <paramref name="raw"/> those printed without encoding.</summary>
    public static IReadOnlyList<string> NamesIn(string template, out ISet<string> raw)
    {
        raw = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (Match tag in MustacheTag().Matches(template))
        {
            var name = tag.Groups["name"].Value;
            if (tag.Groups["raw"].Success)
            {
                raw.Add(name);
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    [GeneratedRegex(@"\{\{\s*(?:(?<raw>\{|&)|[#^/])?\s*(?<name>[^\s{}]+)\s*\}?\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex MustacheTag();
}

/// <summary>One language's rendering of the email.</summary>
internal sealed record RenderedPart(string Language, string Subject, string Preview, string Text, string Html);

/// <summary>
/// The HTML page around the rendered bodies: the preview text a mail app shows beside the subject (hidden in the
/// message), a width that reads at 320 px, long words that wrap, and for a bilingual email both languages, each in
/// its own <c>lang</c> section, with a link from the top to the second.
/// </summary>
internal static class EmailLayout
{
    private static readonly Dictionary<string, string> ReadIn = new(StringComparer.Ordinal)
    {
        ["en"] = "Read this email in English",
        ["cy"] = "Darllenwch yr e-bost hwn yn Gymraeg",
    };

    public static string Page(IReadOnlyList<RenderedPart> parts)
    {
        var first = parts[0];
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(first.Language).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(WebUtility.HtmlEncode(first.Subject)).Append("</title>\n</head>\n")
            .Append("<body style=\"margin:0;padding:0;background-color:#ffffff;color:#0b0c0c;\">\n")
            .Append("<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;\">")
            .Append(WebUtility.HtmlEncode(string.Join(" ", parts.Select(p => p.Preview)))).Append("</div>\n")
            .Append("<main style=\"max-width:640px;margin:0 auto;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c;overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;\">\n");
        foreach (var other in parts.Skip(1))
        {
            html.Append("<p lang=\"").Append(other.Language).Append("\" style=\"margin:0 0 16px;\"><a href=\"#message-").Append(other.Language)
                .Append("\" style=\"color:#1d70b8;\">").Append(WebUtility.HtmlEncode(ReadIn.GetValueOrDefault(other.Language, other.Language))).Append("</a></p>\n");
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                html.Append("<hr style=\"border:0;border-top:2px solid #b1b4b6;margin:32px 0;\">\n");
            }

            html.Append("<div id=\"message-").Append(parts[i].Language).Append("\" lang=\"").Append(parts[i].Language).Append("\">\n")
                .Append(parts[i].Html.Trim()).Append("\n</div>\n");
        }

        return html.Append("</main>\n</body>\n</html>\n").ToString();
    }
}
