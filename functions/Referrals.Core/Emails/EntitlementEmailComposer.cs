using System.Text.RegularExpressions;
using Referrals.Contract;
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
    public const string NationalSupportUrl = "https://www.gov.uk/get-support-as-a-victim-of-crime";

    private static readonly RenderSettings HtmlSettings = new();
    private static readonly RenderSettings TextSettings = new() { SkipHtmlEncoding = true };

    /// <summary>Every name a template may use; anything else is a typo that would silently print nothing.</summary>
    private static readonly HashSet<string> KnownNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "crimeReference", "greetingName", "forChild", "childName", "autoReferred", "referred", "awaitingConsent",
        "declined", "optedOut", "referredServiceNames", "enhanced", "updateTimescale", "services", "nationalSupportUrl",
        "officer", "name", "description", "phone", "email", "website", "hours",
    };

    private readonly StubbleVisitorRenderer _renderer = new StubbleBuilder().Build();
    private readonly EmailTemplates _templates;
    private readonly ServiceDirectory _directory;

    public EntitlementEmailComposer(EmailTemplates templates, ServiceDirectory directory)
    {
        _templates = templates;
        _directory = directory;
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

        var templates = _templates.For(victim.PreferredLanguage);
        var model = Model(snapshot, victim, decision);
        return new EntitlementEmail(
            decision.CrimeReference,
            decision.CrimeVersion,
            decision.VictimId,
            to,
            SafeText.OneLine(_renderer.Render(templates.Subject, model, TextSettings)),
            _renderer.Render(templates.TextBody, model, TextSettings),
            _renderer.Render(templates.HtmlBody, model, HtmlSettings),
            templates.Language);
    }

    private Dictionary<string, object?> Model(CrimeEvent snapshot, Victim victim, VictimDecision decision)
    {
        var forChild = decision.Email.Recipient == EmailRecipient.ParentOrGuardian;
        var referred = decision.Services.Select(id => _directory[id].Name).ToList();
        return new Dictionary<string, object?>
        {
            ["crimeReference"] = SafeText.OneLine(snapshot.Crime.Reference),
            ["greetingName"] = forChild ? Text(victim.ParentOrGuardian?.Name) ?? "parent or guardian" : GreetingName(victim),
            ["forChild"] = forChild,
            ["childName"] = Text(victim.GivenName) ?? FullName(victim),
            ["autoReferred"] = decision.Referral == ReferralOutcome.AutoReferred && referred.Count > 0,
            ["referred"] = decision.Referral == ReferralOutcome.Referred && referred.Count > 0,
            ["awaitingConsent"] = decision.Referral == ReferralOutcome.AwaitingConsent,
            ["declined"] = decision.Referral == ReferralOutcome.Declined,
            ["optedOut"] = decision.Referral == ReferralOutcome.OptedOut,
            ["referredServiceNames"] = SafeText.OneLine(JoinNames(referred)),
            ["enhanced"] = decision.EnhancedRights,
            ["updateTimescale"] = decision.EnhancedRights ? "1 working day" : "5 working days",
            ["services"] = decision.EligibleServices.Select(id => ServiceModel(_directory[id])).ToList(),
            ["nationalSupportUrl"] = NationalSupportUrl,
            ["officer"] = OfficerModel(snapshot.Crime.OfficerInCase),
        };
    }

    private static Dictionary<string, object?> ServiceModel(ServiceEntry service) => new()
    {
        ["name"] = Text(service.Name),
        ["description"] = Text(service.Description),
        ["phone"] = Text(service.SelfReferral.Phone),
        ["email"] = Text(service.SelfReferral.Email),
        ["website"] = Text(service.SelfReferral.Website?.AbsoluteUri),
        ["hours"] = Text(service.SelfReferral.Hours),
    };

    private static Dictionary<string, object?>? OfficerModel(OfficerInCase? officer) =>
        officer is null || (Text(officer.Name) is null && !SafeContact.TryEmail(officer.Email, out _) && !SafeContact.TryPhone(officer.Phone, out _))
            ? null
            : new Dictionary<string, object?>
            {
                ["name"] = Text(officer.Name),
                ["email"] = SafeContact.TryEmail(officer.Email, out var email) ? email : null,
                ["phone"] = SafeContact.TryPhone(officer.Phone, out var phone) ? phone : null,
            };

    private static string GreetingName(Victim victim) =>
        Text(victim.Title) is { } title && Text(victim.FamilyName) is { } family ? $"{title} {family}" : FullName(victim);

    private static string FullName(Victim victim) =>
        string.Join(' ', new[] { Text(victim.GivenName), Text(victim.FamilyName) }.Where(n => n is not null));

    private static string? Text(string? value) => SafeText.OneLine(value) is { Length: > 0 } text ? text : null;

    private static string JoinNames(List<string> names) => names.Count switch
    {
        0 => string.Empty,
        1 => names[0],
        _ => $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}",
    };

    /// <summary>Checks every template at start-up, so a typo stops the app rather than silently emptying an email.</summary>
    private void CheckTemplates()
    {
        foreach (var language in _templates.Languages)
        {
            var set = _templates.For(language);
            foreach (var (file, text) in new[] { ("subject", set.Subject), ("body.txt", set.TextBody), ("body.html", set.HtmlBody) })
            {
                foreach (Match tag in MustacheTag().Matches(text))
                {
                    var name = tag.Groups["name"].Value;
                    if (!KnownNames.Contains(name))
                    {
                        throw new InvalidDataException($"Email template {language}/{file} uses '{{{{{name}}}}}', which is not one of: {string.Join(", ", KnownNames)}.");
                    }

                    if (file == "body.html" && tag.Groups["raw"].Success)
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

    [GeneratedRegex(@"\{\{\s*(?:(?<raw>\{|&)|[#^/])?\s*(?<name>[^\s{}]+)\s*\}?\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex MustacheTag();
}
