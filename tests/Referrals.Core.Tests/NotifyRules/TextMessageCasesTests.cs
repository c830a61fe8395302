using Referrals.Messages;

namespace Referrals.Tests.NotifyRules;

/// <summary>
/// Issue 18, item 5: a text's length, encoding and words exactly as GOV.UK Notify counts and sends them
/// (text-messages.jsonc: Notify's cases from alphagov/notifications-utils tests/test_template_types.py at
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, and hostile ones).
/// </summary>
public class TextMessageCasesTests
{
    public sealed record TextCase(string Text, int? Times, string? Then, int Characters, SmsEncoding Encoding, int Fragments, string? Sent, string From)
    {
        public string Rendered => string.Concat(Enumerable.Repeat(Text, Times ?? 1)) + Then;
    }

    private const string File = "text-messages.jsonc";

    private static readonly IReadOnlyList<TextCase> Cases = NotifyCases.Load<TextCase>(File);

    public static TheoryData<int> Rows() => NotifyCases.Rows<TextCase>(File);

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_text_is_counted_encoded_and_sent_as_Notify_counts_encodes_and_sends_it(int row)
    {
        var c = Cases[row];
        var length = TextMessageLength.Of(c.Rendered);
        Assert.Equal((c.Characters, c.Encoding, c.Fragments), (length.Characters, length.Encoding, length.Fragments));
        Assert.Equal(c.Characters > TextMessageLength.MaxCharacters, length.TooLong);
        Assert.Equal(c.Characters, TextMessageLength.AsSent(c.Rendered).Length);
        if (c.Sent is not null)
        {
            Assert.Equal(c.Sent, TextMessageLength.AsSent(c.Rendered));
        }
    }

    [Fact]
    public void The_table_holds_Notifys_cases_and_hostile_ones()
    {
        Assert.True(Cases.Count >= 40);
        Assert.Contains(Cases, c => c.From.StartsWith("ours", StringComparison.Ordinal));
        Assert.Contains(Cases, c => c.From.StartsWith("test_sms_fragment_count", StringComparison.Ordinal));
        Assert.Contains(Cases, c => c.Encoding == SmsEncoding.Ucs2);
        Assert.Contains(Cases, c => c.Characters > TextMessageLength.MaxCharacters);
    }
}
