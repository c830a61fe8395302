using Referrals.Contact;

namespace Referrals.Tests.Contact;

/// <summary>The opaque reference a Notify receipt is matched by.</summary>
public class MessageReferenceTests
{
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
