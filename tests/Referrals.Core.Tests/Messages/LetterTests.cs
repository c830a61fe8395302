using Referrals.Contract;
using Referrals.Messages;
using Referrals.Tests.Situations;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Messages;

/// <summary>Issue 11, item 5: the letter as GOV.UK Notify personalisation of the letter templates in the repository.</summary>
public class LetterTests
{
    private static readonly MessageTemplates Templates = MessageTemplates.LoadDefault();
    private static readonly LetterComposer Composer = new(Templates, Services, Force);

    private static Letter Compose(string name, string? language = null, LetterComposer? composer = null)
    {
        var situation = MessageSituations.All.Single(s => s.Name == name);
        var victim = language is null ? situation.Victim : situation.Victim with { PreferredLanguage = language };
        return (composer ?? Composer).Compose(situation.Snapshot, victim, situation.Decision) ?? throw new InvalidOperationException("no letter");
    }

    public static TheoryData<string> Situations() => [.. MessageSituations.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Situations))]
    public void Every_letter_gives_every_placeholder_of_its_template_and_leads_with_the_force_the_reference_and_999(string situation)
    {
        var letter = Compose(situation);
        foreach (var page in letter.Pages)
        {
            Assert.Equal(MessageTemplates.LetterNames.Order(), page.Personalisation.Keys.Order());
            var top = string.Join('\n', page.Body.Split('\n').Take(8));
            Assert.Contains(Force.NameIn(page.Language), top, StringComparison.Ordinal);
            Assert.Contains(MessageSituations.LongReference, top, StringComparison.Ordinal);
            Assert.Contains("999", top, StringComparison.Ordinal);
            Assert.DoesNotContain("((", page.Body, StringComparison.Ordinal);
        }

        Assert.Equal(situation.StartsWith("cy-", StringComparison.Ordinal) ? ["cy", "en"] : ["en"], letter.Pages.Select(p => p.Language));
    }

    [Fact]
    public void The_address_block_is_the_recipients_name_address_lines_and_postcode_last()
    {
        var page = Compose("parent-autoreferred-enhanced").Pages[0];
        Assert.Equal("Bartholomew Llewelyn-Fitzgerald-Ramaswamy", page.Personalisation["address_line_1"]);
        Assert.Equal("Flat 12B, Llys Glyndŵr House", page.Personalisation["address_line_2"]);
        Assert.Equal("LL61 5UJ", page.Personalisation["address_line_5"]);
        Assert.Equal(string.Empty, page.Personalisation["address_line_6"]);
    }

    [Fact]
    public void A_bereaved_relatives_letter_offers_condolence_first_and_never_says_they_reported_a_crime()
    {
        var body = Compose("bereaved-awaitingconsent-enhanced-road-death").Pages[0].Body;
        Assert.Contains("sorry for your loss", body, StringComparison.Ordinal);
        Assert.Contains("Independent Road Victim Advocate", body, StringComparison.Ordinal);
        Assert.True(body.IndexOf("sorry for your loss", StringComparison.Ordinal) < body.IndexOf("What happens next", StringComparison.Ordinal));
        Assert.DoesNotContain("reported a crime", body, StringComparison.Ordinal);
        Assert.DoesNotContain("crime against you", body, StringComparison.Ordinal);
        Assert.True(body.IndexOf("Independent Road Victim Advocate", StringComparison.Ordinal) < body.IndexOf("Victim Services:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_declined_victim_is_told_how_to_change_their_mind_and_a_referred_one_who_has_their_details()
    {
        Assert.Contains("change your mind", Compose("victim-declined-enhanced").Pages[0].Body, StringComparison.Ordinal);
        var referred = Compose("victim-referred-enhanced-domestic-abuse").Pages[0].Body;
        Assert.Contains("As you agreed", referred, StringComparison.Ordinal);
        Assert.Contains("* Independent Domestic Violence Advisers (IDVA)", referred, StringComparison.Ordinal);
    }

    [Fact]
    public void No_letter_is_composed_without_a_valid_postal_address()
    {
        var situation = MessageSituations.All[0];
        var victim = situation.Victim with { Address = null };
        var snapshot = situation.Snapshot with { Victims = [victim] };
        Assert.Null(Composer.Compose(snapshot, victim, Rulebook.Decide(snapshot)[0]));
    }

    [Fact]
    public void A_value_cannot_add_a_line_to_the_letter()
    {
        var situation = MessageSituations.All[0];
        var snapshot = situation.Snapshot with { Crime = situation.Snapshot.Crime with { Reference = "AB/1\n# Pay a fine now" } };
        var body = Composer.Compose(snapshot, snapshot.Victims[0], situation.Decision)!.Pages[0].Body;
        Assert.DoesNotContain("\n# Pay", body, StringComparison.Ordinal);
        Assert.Contains("AB/1 # Pay a fine now", body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_review_page_of_a_letter_is_html_with_headings_and_lists()
    {
        var html = Compose("victim-autoreferred-standard").ToHtml();
        Assert.Contains("<h1 style=\"font-size:24px;\">What happens next</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<ol>", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
    }
}
