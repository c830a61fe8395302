using System.Globalization;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Rendering;
using Referrals.Rules;

namespace Referrals.Contact;

/// <summary>
/// A text message or a letter for GOV.UK Notify: the recipient (a +447 number; a letter's address is in its
/// personalisation) and the template's personalisation, which carries only what the message shows. Personal data:
/// it goes to Notify or the local outbox, never into a log.
/// </summary>
public sealed record NotifyMessage(Channel Channel, string CrimeReference, string VictimId, string? PhoneNumber, IReadOnlyDictionary<string, string> Personalisation);

/// <summary>
/// A minimal plain renderer of the text message and the letter (rulebook 1.1 section 6), behind one class so the
/// real templates can replace it. Every value goes in through <see cref="SafeText.OneLine"/>. The text message's
/// wording lives in its Notify template ("((crime_reference))", "((service_name))", "((service_contact))" and the
/// gov.uk link), so it stays within 2 fragments; the letter's body is plain text for post.
/// </summary>
public sealed class PlainMessageRenderer(ServiceDirectory directory)
{
    /// <summary>The text message template as it is set up in Notify (its id is the Notify:SmsTemplateId setting).</summary>
    public const string SmsTemplate =
        "Police: you reported crime ((crime_reference)). The Victims' Code gives you rights and free support. Call ((service_name)) on ((service_contact)) or see gov.uk/get-support-as-a-victim-of-crime";

    /// <summary>The letter template as it is set up in Notify (Notify:LetterTemplateId): its subject heads the letter.</summary>
    public const string LetterSubject = "Your rights as a victim of crime (reference ((crime_reference)))";

    public const string LetterTemplate = "((body))";

    public static readonly IReadOnlyList<string> SmsKeys = ["crime_reference", "service_name", "service_contact"];

    public static readonly IReadOnlyList<string> LetterKeys = ["crime_reference", "body"];

    /// <summary>The text message, or null when the decision's plan does not make it safe.</summary>
    public NotifyMessage? Sms(CrimeEvent snapshot, VictimDecision decision)
    {
        if (decision.Contact[Channel.Sms] is not { Safe: true, To: { } phone })
        {
            return null;
        }

        var (name, contact) = MostUsefulContact(decision);
        return new NotifyMessage(Channel.Sms, decision.CrimeReference, decision.VictimId, phone, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["crime_reference"] = Line(snapshot.Crime.Reference),
            ["service_name"] = name,
            ["service_contact"] = contact,
        });
    }

    /// <summary>The letter, or null when the decision's plan does not make it safe. Notify wants 3 to 7 address lines, the postcode last.</summary>
    public NotifyMessage? Letter(CrimeEvent snapshot, VictimDecision decision)
    {
        if (decision.Contact[Channel.Letter] is not { Safe: true, Post: { IsValid: true } post })
        {
            return null;
        }

        var addressee = Line(decision.Contact.Addressee) is { Length: > 0 } named ? named
            : decision.Contact.Recipient == EmailRecipient.ParentOrGuardian ? "The parent or guardian" : "The victim of crime";
        var lines = new[] { addressee }.Concat(post.Lines.Select(Line)).Append(post.Postcode).ToList();
        var personalisation = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["crime_reference"] = Line(snapshot.Crime.Reference),
            ["body"] = Body(snapshot, decision),
        };
        for (var i = 0; i < lines.Count; i++)
        {
            personalisation[$"address_line_{i + 1}"] = lines[i];
        }

        return new NotifyMessage(Channel.Letter, decision.CrimeReference, decision.VictimId, null, personalisation);
    }

    private (string Name, string Contact) MostUsefulContact(VictimDecision decision)
    {
        var service = decision.Services.Concat(decision.EligibleServices).Select(id => directory[id])
            .FirstOrDefault(s => s.SelfReferral.Phone is not null || s.SelfReferral.Website is not null);
        return service is null
            ? ("Victim Support", EntitlementEmailComposer.NationalSupportUrl)
            : (Line(service.Name), Line(service.SelfReferral.Phone ?? service.SelfReferral.Website!.ToString()));
    }

    private string Body(CrimeEvent snapshot, VictimDecision decision)
    {
        var days = decision.EnhancedRights ? "1 working day" : "5 working days";
        var services = decision.EligibleServices.Select(id => directory[id])
            .Select(s => $"{Line(s.Name)}: {Line(s.SelfReferral.Phone ?? s.SelfReferral.Website?.ToString() ?? s.SelfReferral.Email)}");
        var officer = Line(snapshot.Crime.OfficerInCase?.Name);
        return string.Join("\n\n", new[]
        {
            $"You reported a crime on {London.DateOf(snapshot.Crime.RecordedAt).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}. Its reference is {Line(snapshot.Crime.Reference)}.",
            "The Victims' Code gives you 12 rights, including the right to be told about support services, to be kept up to date about your case, and to make a Victim Personal Statement.",
            $"We will tell you about any change in your case within {days}.",
            "Free support, whether or not you reported the crime:",
            string.Join("\n", services),
            $"More information: {EntitlementEmailComposer.NationalSupportUrl}",
            officer.Length > 0 ? $"The officer in your case is {officer}." : string.Empty,
        }.Where(p => p.Length > 0));
    }

    private static string Line(string? value) => SafeText.OneLine(value) ?? string.Empty;
}
