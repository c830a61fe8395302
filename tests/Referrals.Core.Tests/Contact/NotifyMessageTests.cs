using Referrals.Contact;
using Referrals.Contract;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contact;

/// <summary>The plain text message and letter for GOV.UK Notify, and the opaque reference a receipt is matched by.</summary>
public class NotifyMessageTests
{
    private static readonly PlainMessageRenderer Renderer = new(Services);
    private static readonly PostalAddress Address = PostalAddress.Create(["12 Example Street", "Matlock"], "DE4 3AG");

    private static (CrimeEvent Snapshot, global::Referrals.Rules.VictimDecision Decision) Decided(Victim victim, string reference = "DB/26/000001")
    {
        var snapshot = Snapshot("28E", victims: victim) is var s ? s with { Crime = s.Crime with { Reference = reference } } : null!;
        return (snapshot, Rulebook.Decide(snapshot)[0]);
    }

    [Fact]
    public void A_text_message_carries_only_the_templates_fields_and_stays_within_two_fragments_even_with_a_64_character_reference()
    {
        var (snapshot, decision) = Decided(Victim(email: null) with { Phone = "07700 900123", PhoneSafe = true }, new string('R', 64));
        var sms = Renderer.Sms(snapshot, decision)!;

        Assert.Equal("+447700900123", sms.PhoneNumber);
        Assert.Equal(PlainMessageRenderer.SmsKeys.Order(), sms.Personalisation.Keys.Order());
        var body = PlainMessageRenderer.SmsTemplate;
        foreach (var (key, value) in sms.Personalisation)
        {
            body = body.Replace($"(({key}))", value, StringComparison.Ordinal);
        }

        Assert.True(body.Length <= 306, $"{body.Length} characters is more than 2 fragments");
        Assert.All(body, c => Assert.True(c < 128, "GSM-safe ASCII only"));
    }

    [Fact]
    public void A_letter_is_addressed_in_3_to_7_lines_ending_with_the_postcode_and_carries_the_rights()
    {
        var (snapshot, decision) = Decided(Victim(email: null) with { Address = Address, AddressSafe = true });
        var letter = Renderer.Letter(snapshot, decision)!;

        Assert.Equal(["Sam Taylor", "12 Example Street", "Matlock", "DE4 3AG"],
            Enumerable.Range(1, 7).Select(i => letter.Personalisation.GetValueOrDefault($"address_line_{i}")).OfType<string>());
        Assert.Contains("12 rights", letter.Personalisation["body"], StringComparison.Ordinal);
        Assert.Contains("gov.uk/get-support-as-a-victim-of-crime", letter.Personalisation["body"], StringComparison.Ordinal);
    }

    [Fact]
    public void No_message_is_rendered_for_a_channel_the_plan_does_not_make_safe()
    {
        var (snapshot, decision) = Decided(Victim() with { Phone = "07700 900123", PhoneSafe = false, Address = Address, AddressSafe = false });
        Assert.Null(Renderer.Sms(snapshot, decision));
        Assert.Null(Renderer.Letter(snapshot, decision));
    }

    [Fact]
    public void A_hostile_name_cannot_add_an_address_line()
    {
        var (snapshot, decision) = Decided(Victim(email: null, givenName: "Sam\u2028Evil", familyName: "Road\u0085Town") with { Address = Address, AddressSafe = true });
        var letter = Renderer.Letter(snapshot, decision)!;

        Assert.DoesNotContain(letter.Personalisation.Values, v => v.Any(c => c is '\n' or '\r' or '\u2028' or '\u0085') && !v.StartsWith("You reported", StringComparison.Ordinal));
        Assert.Equal("DE4 3AG", letter.Personalisation["address_line_4"]);
    }

    [Theory]
    [InlineData("DB/26/000101", "V1", Channel.Sms, 1)]
    [InlineData("a:b|c.d%e", "V:1.2", Channel.Letter, 12)]
    public void A_reference_reads_back_and_shows_no_id_as_it_is(string crime, string victim, Channel channel, int attempt)
    {
        var reference = MessageReference.For(crime, victim, channel, attempt);

        Assert.True(MessageReference.TryParse(reference, out var parsed));
        Assert.Equal((crime, victim, channel, attempt), parsed);
        Assert.DoesNotContain(crime, reference, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rf1.!!!.s1")]
    [InlineData("rf1.REIvMjY.x1")]
    [InlineData("rf2.REIvMjYvMDAwMTEyH1Yx.s1")]
    [InlineData("rf1.REIvMjYvMDAwMTEy.s1")]
    [InlineData("DB/26/000101|V1")]
    public void Anything_else_is_not_one_of_our_references(string? reference) => Assert.False(MessageReference.TryParse(reference, out _));
}
