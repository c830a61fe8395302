using Referrals.Contact;
using Referrals.Contract;
using Referrals.Messages;
using Referrals.Tests.Situations;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Messages;

/// <summary>
/// Issue 11, items 5 and 6 through GOV.UK Notify: what the Notify step sends is the force's text and letter wording,
/// with the template Notify must use (English, Welsh, or the bilingual letter), and a personalisation that gives every
/// placeholder of that template, both halves of a bilingual letter included.
/// </summary>
public class NotifyMessageComposerTests
{
    private static readonly MessageTemplates Templates = MessageTemplates.LoadDefault();
    private static readonly NotifyMessageComposer Composer = Make(Force);
    private static readonly IReadOnlySet<NotifyTemplateKind> Everything = Enum.GetValues<NotifyTemplateKind>().ToHashSet();
    private static readonly IReadOnlySet<NotifyTemplateKind> EnglishOnly = new HashSet<NotifyTemplateKind> { NotifyTemplateKind.EnglishText, NotifyTemplateKind.EnglishLetter };

    private static NotifyMessageComposer Make(ForceIdentity force) => new(new TextMessageComposer(Templates, Services, force), new LetterComposer(Templates, Services, force));

    private static NotifyMessage Compose(string situation, Channel channel, IReadOnlySet<NotifyTemplateKind> available, NotifyMessageComposer? composer = null)
    {
        var s = MessageSituations.All.Single(m => m.Name == situation);
        return (composer ?? Composer).Compose(channel, s.Snapshot, s.Victim, s.Decision, available) ?? throw new InvalidOperationException("no message");
    }

    /// <summary>The template's halves as Notify holds them, rendered with the message's personalisation as Notify renders them.</summary>
    private static IReadOnlyList<string> Rendered(NotifyMessage message) => message.Template switch
    {
        NotifyTemplateKind.EnglishText => [NotifyTemplate.Render(Templates.For("en").TextMessage, message.Personalisation)],
        NotifyTemplateKind.WelshText => [NotifyTemplate.Render(Templates.For("cy").TextMessage, message.Personalisation)],
        NotifyTemplateKind.EnglishLetter => [NotifyTemplate.Render(Templates.For("en").Letter, message.Personalisation)],
        _ => [NotifyTemplate.Render(Templates.BilingualWelshLetter!, message.Personalisation), NotifyTemplate.Render(Templates.For("en").Letter, message.Personalisation)],
    };

    public static TheoryData<string> Situations() => [.. MessageSituations.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Situations))]
    public void Every_situations_text_uses_the_victims_language_fills_its_template_and_fits_its_fragments(string situation)
    {
        var text = Compose(situation, Channel.Sms, Everything);

        Assert.Equal(situation.StartsWith("cy-", StringComparison.Ordinal) ? NotifyTemplateKind.WelshText : NotifyTemplateKind.EnglishText, text.Template);
        Assert.Equal(situation.Contains("parent", StringComparison.Ordinal) ? "+447700900456" : "+447700900123", text.PhoneNumber);
        var body = Assert.Single(Rendered(text));
        Assert.Contains(MessageSituations.LongReference, body, StringComparison.Ordinal);
        Assert.Contains("999", body, StringComparison.Ordinal);
        var length = TextMessageLength.Of(body);
        Assert.True(text.Template == NotifyTemplateKind.WelshText ? body.Length <= TextMessageComposer.WelshCharacters : length is { Encoding: SmsEncoding.Gsm7, Fragments: <= 2 },
            $"{situation}: {body.Length} characters, {length.Fragments} fragments");
    }

    [Theory]
    [MemberData(nameof(Situations))]
    public void Every_situations_letter_fills_both_halves_of_its_template_with_the_force_named_in_each_language(string situation)
    {
        var letter = Compose(situation, Channel.Letter, Everything);
        var halves = Rendered(letter);

        Assert.Equal(situation.StartsWith("cy-", StringComparison.Ordinal) ? NotifyTemplateKind.BilingualLetter : NotifyTemplateKind.EnglishLetter, letter.Template);
        Assert.Contains("Example Constabulary", halves[^1], StringComparison.Ordinal);
        if (halves.Count == 2)
        {
            Assert.Contains("Heddlu Enghraifft", halves[0], StringComparison.Ordinal);
            Assert.DoesNotContain("Example Constabulary", halves[0], StringComparison.Ordinal);
            Assert.Contains("Annwyl", halves[0], StringComparison.Ordinal);
            Assert.Contains("Dear", halves[1], StringComparison.Ordinal);
        }

        Assert.All(halves, h => Assert.DoesNotContain("((", h, StringComparison.Ordinal));
    }

    [Fact]
    public void A_bilingual_force_writes_to_an_English_speaker_in_Welsh_first_then_English()
    {
        var letter = Compose("victim-autoreferred-standard", Channel.Letter, Everything, Make(Force with { Bilingual = true }));

        Assert.Equal(NotifyTemplateKind.BilingualLetter, letter.Template);
        Assert.Equal(2, Rendered(letter).Count);
    }

    [Fact]
    public void Without_the_Welsh_templates_in_Notify_a_Welsh_speaker_is_sent_the_English_text_and_letter_rather_than_nothing()
    {
        Assert.Equal(NotifyTemplateKind.EnglishText, Compose("cy-victim-autoreferred-standard", Channel.Sms, EnglishOnly).Template);
        var letter = Compose("cy-victim-autoreferred-standard", Channel.Letter, EnglishOnly);
        Assert.Equal(NotifyTemplateKind.EnglishLetter, letter.Template);
        Assert.Contains("Dear", Assert.Single(Rendered(letter)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cy", NotifyTemplateKind.WelshText, NotifyTemplateKind.BilingualLetter)]
    [InlineData("cy-GB", NotifyTemplateKind.WelshText, NotifyTemplateKind.BilingualLetter)]
    [InlineData("CY", NotifyTemplateKind.WelshText, NotifyTemplateKind.BilingualLetter)]
    [InlineData("cy_GB", NotifyTemplateKind.EnglishText, NotifyTemplateKind.EnglishLetter)]
    [InlineData("fr", NotifyTemplateKind.EnglishText, NotifyTemplateKind.EnglishLetter)]
    [InlineData("", NotifyTemplateKind.EnglishText, NotifyTemplateKind.EnglishLetter)]
    public void The_preferred_language_chooses_the_templates_and_anything_unknown_gets_English(string language, NotifyTemplateKind text, NotifyTemplateKind letter)
    {
        var s = MessageSituations.All[0];
        var victim = s.Victim with { PreferredLanguage = language };

        Assert.Equal(text, Composer.Compose(Channel.Sms, s.Snapshot, victim, s.Decision, Everything)!.Template);
        Assert.Equal(letter, Composer.Compose(Channel.Letter, s.Snapshot, victim, s.Decision, Everything)!.Template);
    }

    [Fact]
    public void A_bilingual_forces_English_speaker_is_texted_in_English_and_their_letters_address_is_in_English()
    {
        var bilingual = Make(Force with { Bilingual = true });
        var s = MessageSituations.All[0];
        var unnamed = s.Victim with { Title = null, GivenName = null, FamilyName = null };

        Assert.Equal(NotifyTemplateKind.EnglishText, Compose("victim-autoreferred-standard", Channel.Sms, Everything, bilingual).Template);
        var letter = bilingual.Compose(Channel.Letter, s.Snapshot with { Victims = [unnamed] }, unnamed, s.Decision, Everything)!;
        Assert.Equal(NotifyTemplateKind.BilingualLetter, letter.Template);
        Assert.Equal("The Occupier", letter.Personalisation["address_line_1"]);
    }

    [Fact]
    public void With_only_the_Welsh_text_in_Notify_a_Welsh_speaker_is_texted_in_Welsh_and_written_to_in_English()
    {
        var welshText = new HashSet<NotifyTemplateKind>(EnglishOnly) { NotifyTemplateKind.WelshText };

        Assert.Equal(NotifyTemplateKind.WelshText, Compose("cy-victim-autoreferred-standard", Channel.Sms, welshText).Template);
        Assert.Equal(NotifyTemplateKind.EnglishLetter, Compose("cy-victim-autoreferred-standard", Channel.Letter, welshText).Template);
    }

    [Fact]
    public void No_message_is_composed_for_a_channel_the_plan_does_not_make_safe()
    {
        var s = MessageSituations.All[0];
        var victim = s.Victim with { PhoneSafe = false, AddressSafe = false };
        var decision = Rulebook.Decide(s.Snapshot with { Victims = [victim] })[0];

        Assert.Null(Composer.Compose(Channel.Sms, s.Snapshot, victim, decision, Everything));
        Assert.Null(Composer.Compose(Channel.Letter, s.Snapshot, victim, decision, Everything));
        Assert.Null(Composer.Compose(Channel.Email, s.Snapshot, victim, decision, Everything));
    }

    [Fact]
    public void A_hostile_name_or_address_cannot_add_a_line_to_any_value_of_a_bilingual_letter()
    {
        var s = MessageSituations.All.Single(m => m.Name == "cy-victim-autoreferred-standard");
        var victim = s.Victim with
        {
            GivenName = "Sam\u2028Evil",
            FamilyName = "Road\u0085Town\r\nBcc: x",
            Address = PostalAddress.Create(["12 Example Street\nEvil Line", "Matlock"], "DE4 3AG"),
        };
        var snapshot = s.Snapshot with { Victims = [victim] };
        var letter = Composer.Compose(Channel.Letter, snapshot, victim, Rulebook.Decide(snapshot)[0], Everything)!;

        var lines = letter.Personalisation.Values.SelectMany(v => v as IEnumerable<string> is { } list && v is not string ? list : [(string)v]);
        Assert.All(lines, line => Assert.DoesNotContain(line, c => c is '\n' or '\r' or '\u2028' or '\u0085'));
        var address = Enumerable.Range(1, 7).Select(i => (string)letter.Personalisation[$"address_line_{i}"]).Where(l => l.Length > 0).ToList();
        Assert.InRange(address.Count, 3, 7);
        Assert.Equal("DE4 3AG", address[^1]);
    }
}
