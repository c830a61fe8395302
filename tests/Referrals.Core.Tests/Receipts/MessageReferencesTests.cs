using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

public class MessageReferencesTests
{
    [Theory]
    [InlineData("DB/26/000123", "V1")]
    [InlineData("a|b", "c|d")]
    [InlineData("100%|", "%7C")]
    public void An_email_reference_gives_back_its_crime_reference_and_victim_id(string crime, string victim)
    {
        Assert.True(MessageReferences.TryParseEmail(MessageReferences.Email(crime, victim), out var parsedCrime, out var parsedVictim));
        Assert.Equal((crime, victim), (parsedCrime, parsedVictim));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-separator")]
    [InlineData("a|b|c")]
    [InlineData("|V1")]
    [InlineData("a%zz|V1")]
    public void Anything_else_is_not_an_email_reference(string reference) =>
        Assert.False(MessageReferences.TryParseEmail(reference, out _, out _));
}
