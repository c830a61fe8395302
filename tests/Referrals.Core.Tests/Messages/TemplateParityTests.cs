using Referrals.Emails;
using Referrals.Messages;

namespace Referrals.Tests.Messages;

/// <summary>Issue 11, item 6: every language's templates use exactly the names the English ones use, file by file.</summary>
public class TemplateParityTests
{
    public static TheoryData<string> Languages() => [.. EmailTemplates.LoadDefault().Languages.Where(l => l != "en")];

    [Fact]
    public void There_is_a_Welsh_template_for_every_channel()
    {
        Assert.Contains("cy", EmailTemplates.LoadDefault().Languages);
        Assert.Contains("cy", MessageTemplates.LoadDefault().Languages);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_email_template_uses_the_same_names_as_English(string language)
    {
        var english = EmailTemplates.LoadDefault().For("en");
        var other = EmailTemplates.LoadDefault().For(language);
        Assert.Equal(language, other.Language);
        foreach (var (file, en, theirs) in new[]
        {
            ("subject", english.Subject, other.Subject), ("preview", english.Preview, other.Preview),
            ("body.txt", english.TextBody, other.TextBody), ("body.html", english.HtmlBody, other.HtmlBody),
        })
        {
            Assert.True(Names(en).SetEquals(Names(theirs)), $"{language}/{file}: {string.Join(", ", Names(en).Except(Names(theirs)))} missing; {string.Join(", ", Names(theirs).Except(Names(en)))} extra");
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_text_message_and_letter_template_uses_the_same_placeholders_as_English(string language)
    {
        var english = MessageTemplates.LoadDefault().For("en");
        var other = MessageTemplates.LoadDefault().For(language);
        Assert.Equal(english.TextMessage.Length > 0, other.TextMessage.Length > 0);
        Assert.Equal(NotifyTemplate.Placeholders(english.TextMessage).Order(), NotifyTemplate.Placeholders(other.TextMessage).Order());
        Assert.Equal(NotifyTemplate.Placeholders(english.Letter).Order(), NotifyTemplate.Placeholders(other.Letter).Order());
    }

    [Fact]
    public void The_parity_check_sees_a_missing_name()
    {
        Assert.False(Names("{{crimeReference}} {{#forChild}}x{{/forChild}}").SetEquals(Names("{{crimeReference}}")));
        Assert.NotEqual(NotifyTemplate.Placeholders("((a)) ((b??x))"), NotifyTemplate.Placeholders("((a))"));
    }

    private static HashSet<string> Names(string template) => [.. EntitlementEmailComposer.NamesIn(template, out _)];
}
