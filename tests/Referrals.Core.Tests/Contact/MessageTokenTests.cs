using System.Text;
using Referrals.Contact;

namespace Referrals.Tests.Contact;

/// <summary>Issue 22: the opaque per-attempt token, readable only with the key, the old Notify references still accepted.</summary>
public class MessageTokenTests
{
    private static readonly MessageToken Token = new(Encoding.UTF8.GetBytes("a synthetic test key of at least 32 bytes, never a real one"));

    [Theory]
    [InlineData("DB/26/000101", "V1", Channel.Email, 1)]
    [InlineData("DB/26/000102", "V12", Channel.Sms, 3)]
    [InlineData("DB/26/00|0103", "Vé 3", Channel.Letter, 1)]
    public void A_token_opens_to_the_send_it_names_and_reads_as_nothing_of_it(string crime, string victim, Channel channel, int attempt)
    {
        var token = Token.Seal(new MessageSend(crime, victim, channel, attempt));

        Assert.True(Token.TryOpen(token, out var send));
        Assert.Equal(new MessageSend(crime, victim, channel, attempt), send);
        Assert.StartsWith(MessageToken.Prefix, token, StringComparison.Ordinal);
        Assert.Matches("^rt1\\.[A-Za-z0-9_-]+$", token);
        Assert.DoesNotContain(crime, token, StringComparison.Ordinal);
        Assert.DoesNotContain(victim, token, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(crime)).TrimEnd('='), token, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_send_gets_the_same_token_and_another_send_another()
    {
        var first = Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Sms, 1));

        Assert.Equal(first, Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Sms, 1)));
        Assert.NotEqual(first, Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Sms, 2)));
        Assert.NotEqual(first, Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Letter, 1)));
    }

    [Fact]
    public void A_token_changed_by_one_character_or_sealed_under_another_key_is_refused()
    {
        var token = Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Letter, 1));
        var other = new MessageToken(Encoding.UTF8.GetBytes("another synthetic key of at least 32 bytes long")).Seal(new MessageSend("DB/26/000101", "V1", Channel.Letter, 1));
        var flipped = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        Assert.False(Token.TryOpen(flipped, out _));
        Assert.False(Token.TryOpen(other, out _));
        Assert.False(Token.TryOpen("rt1.", out _));
        Assert.False(Token.TryOpen("rt1.!!!", out _));
        Assert.False(Token.TryOpen(null, out _));
        Assert.True(Token.TryOpen(token, out var send));
        Assert.Equal(Channel.Letter, send.Channel);
    }

    [Fact]
    public void A_Notify_reference_of_the_old_readable_format_is_still_accepted_and_an_email_token_is_not_a_Notify_reference()
    {
        Assert.True(Token.TryOpenNotify(MessageReference.Notify("DB/26/000101", "V1", Channel.Sms, 2), out var old));
        Assert.Equal(new MessageSend("DB/26/000101", "V1", Channel.Sms, 2), old);
        Assert.False(Token.TryOpenNotify(Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Email, 1)), out _));
        Assert.True(Token.TryOpenNotify(Token.Seal(new MessageSend("DB/26/000101", "V1", Channel.Letter, 1)), out var letter));
        Assert.Equal(Channel.Letter, letter.Channel);
    }
}
