using MimeKit;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Tests.Situations;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Emails;

/// <summary>Issue 11, items 1 to 4 and 6: who writes, safety first, the wording of each situation, Welsh, MIME.</summary>
public class EmailSituationTests
{
    private static EntitlementEmail Compose(string name, EntitlementEmailComposer? composer = null)
    {
        var situation = MessageSituations.All.Single(s => s.Name == name);
        return (composer ?? Composer).Compose(situation.Snapshot, situation.Victim, situation.Decision) ?? throw new InvalidOperationException("no email");
    }

    public static TheoryData<string> Situations() => [.. MessageSituations.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Situations))]
    public void Every_email_says_who_writes_the_reference_and_999_before_anything_else(string name)
    {
        var email = Compose(name);
        var text = email.TextBody;
        var greeting = text.IndexOf(email.Language == "cy" ? "\nAnnwyl " : "\nDear ", StringComparison.Ordinal);

        Assert.StartsWith(Force.NameIn(email.Language) + "\n", text, StringComparison.Ordinal);
        Assert.InRange(text.IndexOf(MessageSituations.LongReference, StringComparison.Ordinal), 0, greeting);
        Assert.InRange(text.IndexOf("999", StringComparison.Ordinal), 0, greeting);
        Assert.Contains(Force.Name, email.Subject, StringComparison.Ordinal);
        Assert.Contains($"href=\"tel:{ForceIdentity.Tel(Force.VictimCareUnitPhone)}\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains($"href=\"mailto:{Force.VictimCareUnitEmail}\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Force.PrivacyNotice.AbsoluteUri}\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("href=\"tel:08081570101\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain(">https://", email.HtmlBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("victim-awaitingconsent-enhanced-sexual-offence", true)]
    [InlineData("victim-referred-enhanced-domestic-abuse", true)]
    [InlineData("victim-autoreferred-enhanced-stalking", true)]
    [InlineData("bereaved-awaitingconsent-enhanced-road-death", true)]
    [InlineData("victim-autoreferred-standard", false)]
    [InlineData("victim-optedout-standard", false)]
    public void Consent_pathway_stalking_and_harassment_victims_are_told_how_to_stay_safe_online_on_the_first_screen(string name, bool told)
    {
        var text = Compose(name).TextBody;
        var line = text.IndexOf("Stay safe online.", StringComparison.Ordinal);
        Assert.Equal(told, line >= 0);
        if (told)
        {
            Assert.True(line < text.IndexOf("\nDear ", StringComparison.Ordinal));
            Assert.Contains("If email is not safe for you, call us on 01632 960 101", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bereaved_relative_gets_condolence_first_the_road_victim_advocate_first_and_no_you_have_reported_a_crime()
    {
        var email = Compose("bereaved-awaitingconsent-enhanced-road-death");
        Assert.Contains("We are very sorry for your loss", email.TextBody.Split('\n')[3], StringComparison.Ordinal);
        Assert.DoesNotContain("reported a crime", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("crime against you", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Your crime reference", email.TextBody, StringComparison.Ordinal);
        Assert.True(email.TextBody.IndexOf("Independent Road Victim Advocate", StringComparison.Ordinal) < email.TextBody.IndexOf("\nVictim Services\n", StringComparison.Ordinal));
        Assert.Contains("help for you and your family", email.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_is_told_the_crime_reference_and_the_childs_rights_not_their_own()
    {
        var email = Compose("parent-autoreferred-enhanced");
        Assert.Contains("The crime reference is", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("your crime reference", email.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Gwenllian-Alexandra has enhanced rights", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("\nRIGHTS UNDER THE VICTIMS' CODE\n", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("help for Gwenllian-Alexandra", email.Subject, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("victim-declined-enhanced", "You can change your mind at any time. Call us on 01632 960 101")]
    [InlineData("victim-optedout-standard", "You can change your mind at any time. Call us on 01632 960 101")]
    [InlineData("victim-referred-enhanced-domestic-abuse", "As you agreed, we have passed your contact details to Independent Domestic Violence Advisers (IDVA) and Victim Services.")]
    [InlineData("victim-autoreferred-standard", "we have passed your contact details to Victim Services.")]
    [InlineData("victim-awaitingconsent-enhanced-sexual-offence", "We will only pass your details to a support service if you agree.")]
    public void Each_referral_outcome_has_its_own_words(string name, string words) =>
        Assert.Contains(words, Compose(name).TextBody, StringComparison.Ordinal);

    [Fact]
    public void Right_1_is_not_a_tautology()
    {
        var email = Compose("victim-autoreferred-standard");
        Assert.Contains("1. To get help to understand us and to be understood, such as an interpreter.", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("understand and to be understood: interpretation and help to understand and be understood", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_victim_who_prefers_Welsh_gets_Welsh_first_then_English_with_the_Welsh_Codes_rights()
    {
        var email = Compose("cy-victim-autoreferred-standard");
        Assert.Equal("cy", email.Language);
        Assert.Equal("en", email.SecondLanguage);
        Assert.Equal("cy, en", email.ContentLanguage);
        Assert.StartsWith("Heddlu Enghraifft: cymorth a'ch hawliau", email.Subject, StringComparison.Ordinal);
        Assert.Contains(" / Example Constabulary: help and your rights", email.Subject, StringComparison.Ordinal);
        Assert.True(email.TextBody.IndexOf("OS YDYCH MEWN PERYGL NAWR, FFONIWCH 999.", StringComparison.Ordinal) < email.TextBody.IndexOf("IF YOU ARE IN DANGER", StringComparison.Ordinal));
        Assert.Contains("1. Gallu deall pethau a bod pobl eraill yn eich deall.", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"cy\">", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<div id=\"message-en\" lang=\"en\">", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#message-en\"", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bilingual_force_writes_English_first_then_Welsh_and_an_English_only_force_English_alone()
    {
        var bilingual = new EntitlementEmailComposer(Templates, Services, Force with { Bilingual = true });
        var email = Compose("victim-autoreferred-standard", bilingual);
        Assert.Equal("en, cy", email.ContentLanguage);
        Assert.Contains("Darllenwch yr e-bost hwn yn Gymraeg", email.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("en", Compose("victim-autoreferred-standard").ContentLanguage);
    }

    [Fact]
    public void The_preview_text_is_the_first_thing_in_the_body_and_hidden()
    {
        var html = Compose("victim-autoreferred-standard").HtmlBody;
        var body = html[html.IndexOf("<body", StringComparison.Ordinal)..];
        Assert.Matches("^<body[^>]*>\\n<div style=\"display:none;[^\"]*\">From Example Constabulary, crime reference ", body);
    }

    [Fact]
    public void The_eml_parts_are_quoted_printable_utf8_and_say_their_language()
    {
        var email = Compose("cy-victim-autoreferred-standard");
        using var mime = EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch);
        Assert.Equal("cy, en", mime.Headers[HeaderId.ContentLanguage]);
        foreach (var part in mime.BodyParts.OfType<TextPart>())
        {
            Assert.Equal(ContentEncoding.QuotedPrintable, part.ContentTransferEncoding);
            Assert.Equal("utf-8", part.ContentType.Charset);
        }

        using var stream = new MemoryStream();
        mime.WriteTo(stream);
        var raw = System.Text.Encoding.Latin1.GetString(stream.ToArray());
        Assert.All(raw, c => Assert.True(c < 128, "every byte of the message is 7-bit"));
        Assert.Contains("ar =C3=B4l trosedd", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void The_force_identity_names_every_missing_or_malformed_value()
    {
        var problems = (Force with { Name = " ", ShortName = "Far too long a name", VictimCareUnitPhone = "call us", VictimCareUnitEmail = "vcu", Website = new Uri("http://police.example") }).Problems();
        Assert.Equal(5, problems.Count);
        Assert.Contains("Name is required", problems);
        Assert.Contains(problems, p => p.StartsWith("ShortName", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("VictimCareUnitPhone", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("VictimCareUnitEmail", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Website", StringComparison.Ordinal));
        Assert.Empty(Force.Problems());
    }
}
