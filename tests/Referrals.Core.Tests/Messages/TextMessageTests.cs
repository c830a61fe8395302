using Referrals.Messages;
using Referrals.Rules;
using Referrals.Tests.Situations;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Messages;

/// <summary>Issue 11, item 5: the entitlement text in every situation and language fits its fragments, with the longest values.</summary>
public class TextMessageTests
{
    private static readonly TextMessageComposer Composer = new(MessageTemplates.LoadDefault(), Services, Force);

    /// <summary>A force whose Welsh name needs Unicode (ŵ), so the Welsh text is UCS-2 whatever the template says.</summary>
    private static readonly ForceIdentity WelshForce = Force with { WelshName = "Heddlu Gŵyr a Glannau Dyfrdwy", Name = "Gower and Dee Estuary Police Service" };

    public static TheoryData<string, string> SituationsAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var situation in MessageSituations.All)
        {
            data.Add(situation.Name, "en");
            data.Add(situation.Name, "cy");
        }

        return data;
    }

    private static TextMessage Compose(string name, string language, TextMessageComposer? composer = null)
    {
        var situation = MessageSituations.All.Single(s => s.Name == name);
        var victim = situation.Victim with { PreferredLanguage = language };
        return (composer ?? Composer).Compose(situation.Snapshot, victim, situation.Decision);
    }

    [Theory]
    [MemberData(nameof(SituationsAndLanguages))]
    public void Every_text_fits_2_GSM_fragments_in_English_and_201_characters_in_Welsh_with_a_64_character_reference(string situation, string language)
    {
        foreach (var composer in new[] { Composer, new TextMessageComposer(MessageTemplates.LoadDefault(), Services, WelshForce) })
        {
            var text = Compose(situation, language, composer);

            Assert.Equal(language, text.Language);
            Assert.True(TextMessageComposer.Fits(text), $"{situation}/{language}: {text.Length} – {text.Body}");
            if (language == "en")
            {
                Assert.Equal(SmsEncoding.Gsm7, text.Length.Encoding);
                Assert.InRange(text.Length.Fragments, 1, 2);
            }
            else
            {
                Assert.InRange(text.Body.Length, 1, TextMessageComposer.WelshCharacters);
            }

            Assert.Contains(MessageSituations.LongReference, text.Body, StringComparison.Ordinal);
            Assert.Contains("999", text.Body, StringComparison.Ordinal);
            Assert.Contains(MessageFactsUrl, text.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Siân", text.Body, StringComparison.Ordinal);
        }
    }

    private const string MessageFactsUrl = MessageFacts.NationalSupportShortUrl;

    [Fact]
    public void The_text_names_the_force_in_full_when_it_fits_and_by_its_short_name_otherwise()
    {
        Assert.StartsWith("Example Constabulary: ", Compose("victim-autoreferred-standard", "en").Body, StringComparison.Ordinal);
        var longName = new TextMessageComposer(MessageTemplates.LoadDefault(), Services, Force with { Name = new string('N', ForceIdentity.MaxNameLength) });
        Assert.StartsWith("ExamplePol: ", Compose("bereaved-awaitingconsent-enhanced-road-death", "en", longName).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bereaved_relative_is_offered_condolence_and_a_consent_pathway_victim_is_told_how_to_say_texts_are_not_safe()
    {
        var bereaved = Compose("bereaved-awaitingconsent-enhanced-road-death", "en").Body;
        Assert.Contains("sorry for your loss", bereaved, StringComparison.Ordinal);
        Assert.Contains("call 0808 157 0505", bereaved, StringComparison.Ordinal); // the road victim advocate, first for a bereaved relative
        Assert.Contains("If texts are not safe for you, call 101", Compose("victim-awaitingconsent-enhanced-sexual-offence", "en").Body, StringComparison.Ordinal);

        var theft = Compose("victim-autoreferred-standard", "en").Body;
        Assert.DoesNotContain("not safe", theft, StringComparison.Ordinal);
        Assert.DoesNotContain("loss", theft, StringComparison.Ordinal);
        Assert.Contains("Victim Services on 0808 157 0101", theft, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 18: Notify sends ’ as ' (sanitise_text.py line 15), so a service name with a curly apostrophe keeps an
    /// English text GSM-7 and the name stays in it, within 2 fragments, in every situation with the longest reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(SituationsAndLanguages))]
    public void A_service_name_with_a_curly_apostrophe_stays_in_an_English_text_within_2_fragments(string situation, string language)
    {
        if (language != "en")
        {
            return;
        }

        var curly = new ServiceDirectory([.. Services.Services.Select(s => s with { Name = s.Name.Replace("Victim Services", "Victims’ Services", StringComparison.Ordinal).Replace("People's", "People’s", StringComparison.Ordinal) })], Services.VictimCareUnit);
        var text = Compose(situation, language, new TextMessageComposer(MessageTemplates.LoadDefault(), curly, Force));

        Assert.Equal(SmsEncoding.Gsm7, text.Length.Encoding);
        Assert.InRange(text.Length.Fragments, 1, TextMessageComposer.EnglishFragments);
        Assert.DoesNotContain("’", text.Body, StringComparison.Ordinal);
        if (situation == "victim-autoreferred-standard")
        {
            Assert.Contains("For free support, call Victims' Services on 0808 157 0101.", text.Body, StringComparison.Ordinal);
            Assert.Equal("Victims’ Services on 0808 157 0101", text.Personalisation["help"]);
        }
    }

    [Theory]
    [InlineData("", SmsEncoding.Gsm7, 0, 0, 1)]
    [InlineData("a", SmsEncoding.Gsm7, 1, 1, 1)]
    [InlineData("€", SmsEncoding.Gsm7, 1, 2, 1)]
    [InlineData("ŵ", SmsEncoding.Ucs2, 1, 1, 1)]
    [InlineData("’", SmsEncoding.Gsm7, 1, 1, 1)]
    [InlineData("…", SmsEncoding.Gsm7, 3, 3, 1)]
    [InlineData("😀", SmsEncoding.Gsm7, 1, 1, 1)]
    public void Fragments_are_counted_in_the_right_encoding(string body, SmsEncoding encoding, int characters, int units, int fragments) =>
        Assert.Equal(new TextMessageLength(encoding, characters, units, fragments), TextMessageLength.Of(body));

    [Theory]
    [InlineData('a', 160, 1)]
    [InlineData('a', 161, 2)]
    [InlineData('a', 306, 2)]
    [InlineData('a', 307, 3)]
    [InlineData('â', 70, 1)]
    [InlineData('â', 71, 2)]
    [InlineData('â', 201, 3)]
    [InlineData('â', 202, 4)]
    public void Fragment_boundaries_are_160_153_70_and_67(char c, int count, int fragments) =>
        Assert.Equal(fragments, TextMessageLength.Of(new string(c, count)).Fragments);
}
