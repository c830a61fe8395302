using Referrals.Contact;

namespace Referrals.Tests.Contact;

/// <summary>The references a receipt is matched by: Notify's opaque reference, and an email's custom_args.</summary>
public class MessageReferenceTests
{
    [Theory]
    [InlineData("DB/26/000101", "V1", Channel.Sms, 1)]
    [InlineData("a:b|c.d%e", "V:1.2", Channel.Letter, 12)]
    public void A_reference_reads_back_and_shows_no_id_as_it_is(string crime, string victim, Channel channel, int attempt)
    {
        var reference = MessageReference.Notify(crime, victim, channel, attempt);

        Assert.True(MessageReference.TryParseNotify(reference, out var parsed));
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
    public void Anything_else_is_not_one_of_our_references(string? reference) => Assert.False(MessageReference.TryParseNotify(reference, out _));

    [Theory]
    [InlineData("DB/26/000123", "V1")]
    [InlineData("a|b", "c|d")]
    [InlineData("100%|", "%7C")]
    public void An_email_reference_gives_back_its_crime_reference_and_victim_id(string crime, string victim)
    {
        Assert.True(MessageReference.TryParseEmail(MessageReference.Email(crime, victim), out var parsedCrime, out var parsedVictim));
        Assert.Equal((crime, victim), (parsedCrime, parsedVictim));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-separator")]
    [InlineData("a|b|c")]
    [InlineData("|V1")]
    [InlineData("a%zz|V1")]
    public void Anything_else_is_not_an_email_reference(string reference) =>
        Assert.False(MessageReference.TryParseEmail(reference, out _, out _));
}
