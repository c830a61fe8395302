using MimeKit;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Emails;

/// <summary>Rulebook section 6: what the entitlement email says, and that nothing from a snapshot can break it.</summary>
public class EntitlementEmailTests
{
    private static EntitlementEmail Compose(CrimeEvent snapshot)
    {
        var decision = Rulebook.Decide(snapshot)[0];
        return Composer.Compose(snapshot, snapshot.Victims[0], decision) ?? throw new InvalidOperationException("no email");
    }

    private static EntitlementEmail Compose(string code = "28E", string[]? flags = null, Victim? victim = null, OfficerInCase? officer = null) =>
        Compose(Snapshot(code, flags, officer: officer, victims: victim ?? Victim()));

    [Fact]
    public void The_email_has_the_crime_reference_in_subject_and_both_parts()
    {
        var email = Compose();
        Assert.Contains("DB/26/000001", email.Subject, StringComparison.Ordinal);
        Assert.Contains("DB/26/000001", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("DB/26/000001", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_email_lists_the_twelve_rights_of_the_Code()
    {
        var email = Compose();
        for (var right = 1; right <= 12; right++)
        {
            Assert.Contains($"\n{right}. To ", email.TextBody, StringComparison.Ordinal);
        }

        Assert.Equal(12, email.HtmlBody.Split("<li>To ").Length - 1);
        Assert.Contains("Victim Personal Statement", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("make a complaint", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Standard_rights_promise_updates_within_5_working_days()
    {
        var email = Compose("28E");
        Assert.Contains("within 5 working days", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("enhanced rights", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Enhanced_rights_promise_updates_within_1_working_day()
    {
        var email = Compose("28E", victim: Victim(intimidated: true));
        Assert.Contains("enhanced rights", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("within 1 working day", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("within <strong>1 working day</strong>", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_eligible_services_self_referral_details_are_included()
    {
        var email = Compose("8Q");
        foreach (var id in new[] { "general", "stalking" })
        {
            var service = Services[id];
            Assert.Contains(service.Name, email.TextBody, StringComparison.Ordinal);
            Assert.Contains(service.SelfReferral.Phone!, email.TextBody, StringComparison.Ordinal);
            Assert.Contains(service.SelfReferral.Website!.AbsoluteUri, email.HtmlBody, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Services["isva"].Name, email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_national_support_page_is_included()
    {
        var email = Compose();
        Assert.Contains("https://www.gov.uk/get-support-as-a-victim-of-crime", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("href=\"https://www.gov.uk/get-support-as-a-victim-of-crime\"", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_officer_in_the_case_is_included_when_known()
    {
        var email = Compose(officer: new OfficerInCase("PC 4821 Khan", "oic.4821@police.example", "101"));
        Assert.Contains("PC 4821 Khan", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("oic.4821@police.example", email.HtmlBody, StringComparison.Ordinal);
        var withoutOfficer = Compose();
        Assert.Contains(withoutOfficer.CrimeReference, withoutOfficer.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("OFFICER DEALING", withoutOfficer.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void An_auto_referred_victim_is_told_who_has_their_details_and_how_to_opt_out()
    {
        var email = Compose("28E");
        Assert.Contains("we have passed your contact details to Victim Services", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("If you do not want this", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_victim_awaiting_consent_is_told_nothing_is_shared_without_agreement() =>
        Assert.Contains("only pass your details to a support service if you agree",
            Compose("19C", victim: Victim(support: SupportAnswer.NotAsked)).TextBody, StringComparison.Ordinal);

    [Fact]
    public void A_declined_victim_is_told_about_the_single_support_session() =>
        Assert.Contains("single support session", Compose("19C", victim: Victim(support: SupportAnswer.Declined)).TextBody, StringComparison.Ordinal);

    [Fact]
    public void A_childs_email_is_addressed_to_the_parent_about_the_child()
    {
        var email = Compose("34B", victim: Victim(dateOfBirth: ChildBirthDate, givenName: "Sam", parent: new ParentOrGuardian("Jo Taylor", "parent@example.org", true, false)));
        Assert.Equal("parent@example.org", email.To);
        Assert.Contains("\nDear Jo Taylor,\n", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("parent or guardian of Sam", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(Services["children"].Name, email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_names_are_encoded_in_the_html_part()
    {
        var email = Compose(victim: Victim(givenName: "<script>alert('x')</script>", familyName: "\"><img src=x onerror=alert(1)>"));

        Assert.DoesNotContain("<script", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_officer_details_are_encoded_in_the_html_part()
    {
        var email = Compose(officer: new OfficerInCase("<a href=\"https://evil.example\">click</a>", "javascript:alert(1)", "<b>101</b>"));
        Assert.Contains("click&lt;/a&gt;", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example\">", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>101", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void No_field_can_add_a_mail_header()
    {
        var snapshot = Snapshot(victims: Victim(email: "victim@example.org"));
        var email = Compose(snapshot with { Crime = snapshot.Crime with { Reference = "DB/26/1\r\nBcc: abuser@example.org" } });

        Assert.DoesNotContain('\n', email.Subject);
        Assert.DoesNotContain('\r', email.Subject);
        using var mime = EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch);
        Assert.Empty(mime.Bcc);
        Assert.Single(mime.To);
        Assert.DoesNotContain(mime.Headers, h => h.Field.Equals("Bcc", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_victims_language_is_used_when_a_template_exists_and_English_otherwise()
    {
        var welsh = new EmailTemplateSet("cy", "Eich hawliau {{crimeReference}}", "Annwyl {{greetingName}}", "<p>Annwyl {{greetingName}}</p>");
        var english = Templates.For("en");
        var composer = new EntitlementEmailComposer(new EmailTemplates([english, welsh]), Services, Force);

        EntitlementEmail ComposeIn(string? language)
        {
            var snapshot = Snapshot(victims: Victim(language: language));
            return composer.Compose(snapshot, snapshot.Victims[0], Rulebook.Decide(snapshot)[0])!;
        }

        Assert.Equal("cy", ComposeIn("cy-GB").Language);
        Assert.StartsWith("Eich hawliau", ComposeIn("CY").Subject, StringComparison.Ordinal);
        Assert.Equal("en", ComposeIn("pl").Language);
        Assert.Equal("en", ComposeIn("../../etc").Language);
        Assert.Equal("en", ComposeIn(null).Language);
    }

    [Fact]
    public void A_template_with_an_unknown_name_stops_start_up()
    {
        var broken = new EmailTemplateSet("en", "Rights {{crimeRefrence}}", "x", "x");
        var error = Assert.Throws<InvalidDataException>(() => new EntitlementEmailComposer(new EmailTemplates([broken]), Services, Force));
        Assert.Contains("crimeRefrence", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_html_template_that_skips_encoding_stops_start_up()
    {
        var broken = new EmailTemplateSet("en", "x", "x", "<p>{{{greetingName}}}</p>");
        Assert.Contains("without HTML encoding",
            Assert.Throws<InvalidDataException>(() => new EntitlementEmailComposer(new EmailTemplates([broken]), Services, Force)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_email_is_composed_when_the_decision_suppresses_it()
    {
        var snapshot = Snapshot("8N", ["DomesticAbuse"], victims: Victim(emailSafe: null));
        Assert.Null(Composer.Compose(snapshot, snapshot.Victims[0], Rulebook.Decide(snapshot)[0]));
    }

    [Fact]
    public void The_eml_file_has_a_plain_text_and_an_html_part()
    {
        var email = Compose();
        using var mime = EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch);
        var alternative = Assert.IsType<MultipartAlternative>(mime.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
    }
}
