using System.Text;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Tests.Receipts;

/// <summary>
/// SendGrid's Email Activity API's answer to <c>GET /v3/messages</c> as SendGrid's record of one send
/// (<see cref="SendGridActivity"/>). The well-formed cases are our own data, shaped after the examples of
/// twilio/sendgrid-oai <c>spec/yaml/tsg_email_activity_v3.yaml</c> at 380cb65 (the 200 answer's three messages).
/// </summary>
public class SendGridActivityTests
{
    private static SendGridRecord? Parse(string body) => SendGridActivity.Parse(Encoding.UTF8.GetBytes(body));

    private static string Message(string status, string time = "2017-10-13T18:56:21Z") =>
        $$"""{"messages":[{"from_email":"from@test.com","msg_id":"abc123","subject":"something profound","to_email":"to@test.com","status":"{{status}}","opens_count":0,"clicks_count":0,"last_event_time":"{{time}}","last_timestamp":1495064728}]}""";

    [Theory]
    [InlineData("processed", ReceiptStatus.Deferred)]
    [InlineData("delivered", ReceiptStatus.Delivered)]
    [InlineData("not_delivered", ReceiptStatus.FailedForGood)]
    [InlineData("bounced", ReceiptStatus.Deferred)] // not a status the API documents: found, so accepted, not final
    public void A_found_messages_status_maps_to_a_receipt_dated_by_its_last_event_time(string status, ReceiptStatus expected) =>
        Assert.Equal(new SendGridRecord.Found(expected, new DateTimeOffset(2017, 10, 13, 18, 56, 21, TimeSpan.Zero)), Parse(Message(status)));

    [Fact]
    public void An_empty_list_is_not_found() => Assert.IsType<SendGridRecord.NotFound>(Parse("""{"messages":[]}"""));

    [Fact]
    public void The_query_names_the_sends_token_as_our_one_custom_arg() =>
        Assert.Equal("""unique_args['ref']="rt1.abc_-" """.TrimEnd(), SendGridActivity.Query("rt1.abc_-"));

    [Theory]
    [InlineData("not a time")]
    [InlineData("")]
    public void A_last_event_time_that_is_not_a_time_leaves_the_record_undated(string time) =>
        Assert.Equal(new SendGridRecord.Found(ReceiptStatus.Delivered, null), Parse(Message("delivered", time)));

    [Fact]
    public void Several_messages_for_one_token_are_found_and_final_only_when_they_agree()
    {
        var two = """{"messages":[{"msg_id":"a","status":"delivered","last_event_time":"2017-10-13T18:56:21Z"},{"msg_id":"b","status":"not_delivered"}]}""";

        Assert.Equal(new SendGridRecord.Found(ReceiptStatus.Deferred, null), Parse(two));
        Assert.Equal(new SendGridRecord.Found(ReceiptStatus.Delivered, new DateTimeOffset(2017, 10, 13, 18, 56, 21, TimeSpan.Zero)), Parse(two.Replace("not_delivered", "delivered", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"errors":[{"message":"too many requests"}]}""")]
    [InlineData("""{"messages":"none"}""")]
    [InlineData("""{"messages":[1]}""")]
    [InlineData("""{"messages":[{"status":"delivered"}]}""")]
    [InlineData("""{"messages":[{"msg_id":"a"}]}""")]
    [InlineData("""{"messages":[{"msg_id":"a","status":7}]}""")]
    [InlineData("""{"messages":[{"msg_id":"","status":"delivered"}]}""")]
    [InlineData("""{"messages":[{"msg_id":"a","status":"delivered"}""")]
    [InlineData("""{"messages":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}""")]
    public void An_answer_that_is_not_SendGrids_shape_is_not_believed(string body) => Assert.Null(Parse(body));

    [Fact]
    public void Hostile_strings_are_not_believed_and_never_kept()
    {
        var huge = new string('a', 100_000);

        Assert.Null(Parse($$"""{"messages":[{"msg_id":"{{huge}}","status":"delivered"}]}"""));
        Assert.Null(Parse($$"""{"messages":[{"msg_id":"a","status":"{{huge}}"}]}"""));
        Assert.Null(SendGridActivity.Parse(new byte[] { 0x7b, 0xff, 0x7d }));
        Assert.Null(SendGridActivity.Parse(new byte[ReceiptLimits.MaxBodyBytes + 1]));

        // A status with a line break or a control character is just not a documented one: found, accepted, nothing of it kept.
        Assert.Equal(new SendGridRecord.Found(ReceiptStatus.Deferred, null), Parse("""{"messages":[{"msg_id":"a","status":"delivered\r\nX-Injected: 1\u202E"}]}"""));
    }
}
