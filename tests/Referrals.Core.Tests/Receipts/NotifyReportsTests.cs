using System.Text;
using Referrals.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Tests.Receipts;

/// <summary>GOV.UK Notify's statuses and delivery-receipt callbacks as receipts.</summary>
public class NotifyReportsTests
{
    private const string Id = "740e5834-3a29-46b4-9a6f-16142fde533a";

    private static string Callback(string status, string type = "sms", string reference = "\"ref-1\"", string extra = "") =>
        $$"""{"id":"{{Id}}","reference":{{reference}},"to":"07700900001","status":"{{status}}","created_at":"2026-10-05T10:00:00.000000Z","completed_at":"2026-10-05T10:01:30.000000Z","sent_at":"2026-10-05T10:00:05.000000Z","notification_type":"{{type}}","template_id":"f33517ff-2a88-4f6e-b855-c550268ce08a","template_version":1{{extra}}}""";

    private static Parsed<NotifyReport> Parse(string body) => NotifyReports.ParseCallback(Encoding.UTF8.GetBytes(body));

    [Theory]
    [InlineData("delivered", ReceiptStatus.Delivered)]
    [InlineData("permanent-failure", ReceiptStatus.FailedForGood)]
    [InlineData("temporary-failure", ReceiptStatus.FailedForGood)]
    [InlineData("technical-failure", ReceiptStatus.NotSent)]
    [InlineData("created", ReceiptStatus.Deferred)]
    [InlineData("sending", ReceiptStatus.Deferred)]
    [InlineData("pending", ReceiptStatus.Deferred)]
    public void Text_message_statuses_map_as_issue_10_says(string status, ReceiptStatus expected) =>
        Assert.Equal(expected, NotifyStatuses.Map(Channel.Sms, status));

    [Theory]
    [InlineData("accepted", ReceiptStatus.Deferred)]
    [InlineData("received", ReceiptStatus.Delivered)]
    [InlineData("permanent-failure", ReceiptStatus.FailedForGood)]
    [InlineData("validation-failed", ReceiptStatus.FailedForGood)]
    [InlineData("cancelled", ReceiptStatus.FailedForGood)]
    [InlineData("virus-scan-failed", ReceiptStatus.FailedForGood)]
    [InlineData("technical-failure", ReceiptStatus.NotSent)]
    [InlineData("pending-virus-check", ReceiptStatus.Deferred)]
    public void Letter_statuses_map_as_issue_10_says(string status, ReceiptStatus expected) =>
        Assert.Equal(expected, NotifyStatuses.Map(Channel.Letter, status));

    [Theory]
    [InlineData(Channel.Sms, "received")]
    [InlineData(Channel.Sms, "accepted")]
    [InlineData(Channel.Sms, "sent")]
    [InlineData(Channel.Letter, "delivered")]
    [InlineData(Channel.Letter, "temporary-failure")]
    [InlineData(Channel.Sms, "Delivered")]
    public void A_status_Notify_does_not_document_for_the_channel_maps_to_nothing(Channel channel, string status) =>
        Assert.Null(Referrals.Receipts.NotifyStatuses.Map(channel, status));

    [Fact]
    public void A_callback_is_a_receipt_for_its_reference_at_its_completion_time()
    {
        var report = Parse(Callback("delivered")).Value!;

        Assert.Equal(
            new Receipt(ReceiptProvider.Notify, Channel.Sms, "ref-1", ReceiptStatus.Delivered, new DateTimeOffset(2026, 10, 5, 10, 1, 30, TimeSpan.Zero), $"{Id}:delivered") { ProviderMessageId = Id },
            report.Receipt);
    }

    [Fact]
    public void The_same_message_reported_twice_with_different_statuses_gives_two_event_ids() =>
        Assert.NotEqual(Parse(Callback("sending")).Value!.Receipt!.EventId, Parse(Callback("delivered")).Value!.Receipt!.EventId);

    [Fact]
    public void Without_completed_at_the_time_is_sent_at_or_created_at()
    {
        var body = $$"""{"id":"{{Id}}","reference":"r","to":"x","status":"delivered","created_at":"2026-10-05T10:00:00.000000Z","completed_at":null,"sent_at":null,"notification_type":"sms","template_id":"t","template_version":1}""";

        Assert.Equal(new DateTimeOffset(2026, 10, 5, 10, 0, 0, TimeSpan.Zero), Parse(body).Value!.Receipt!.At);
    }

    [Fact]
    public void A_callback_without_a_reference_is_an_unknown_message() =>
        Assert.Equal(new NotifyReport(null, IgnoredEvent.UnknownMessage), Parse(Callback("delivered", reference: "null")).Value);

    [Fact]
    public void A_status_that_means_nothing_for_the_channel_is_ignored() =>
        Assert.Equal(new NotifyReport(null, IgnoredEvent.NotAStatus), Parse(Callback("sent")).Value);

    [Fact]
    public void A_letter_status_lookup_uses_type_not_notification_type()
    {
        var body = $$"""{"id":"{{Id}}","reference":"ref-2","type":"letter","status":"received","created_at":"2026-10-05T10:00:00.000000Z","completed_at":null,"sent_at":null,"line_1":"A Person","postage":"second"}""";

        var receipt = NotifyReports.ParseLookup(Encoding.UTF8.GetBytes(body)).Value!.Receipt!;

        Assert.Equal((Channel.Letter, ReceiptStatus.Delivered, "ref-2"), (receipt.Channel, receipt.Status, receipt.Reference));
    }

    [Theory]
    [InlineData("not json", "the body is not JSON")]
    [InlineData("[]", "the body is not a JSON object")]
    [InlineData("""{"id":"740e5834","reference":"r","status":"delivered","created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""", "id is missing or not a UUID")]
    [InlineData("""{"reference":"r","status":"delivered","created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""", "id is missing or not a UUID")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""", "status is missing or not a string")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","status":3,"created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""", "status is missing or not a string")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","status":"delivered","created_at":"2026-10-05T10:00:00Z","notification_type":"fax"}""", "notification_type is missing or not email, sms or letter")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","status":"delivered","created_at":"2026-10-05T10:00:00Z"}""", "notification_type is missing or not email, sms or letter")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":12,"status":"delivered","created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""", "reference is not a string or null")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","status":"delivered","created_at":"yesterday","notification_type":"sms"}""", "created_at is missing or not a time")]
    [InlineData("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","status":"delivered","notification_type":"sms"}""", "created_at is missing or not a time")]
    public void A_body_that_is_not_what_Notify_sends_is_refused(string body, string problem)
    {
        var parsed = Parse(body);

        Assert.Null(parsed.Value);
        Assert.Equal(problem, parsed.Problem);
    }

    [Fact]
    public void A_refusal_reason_quotes_no_value()
    {
        var parsed = Parse("""{"id":"Jo Bloggs 07700900123","reference":"r","status":"delivered","created_at":"2026-10-05T10:00:00Z","notification_type":"sms"}""");

        Assert.Equal("id is missing or not a UUID", parsed.Problem);
        Assert.DoesNotContain("Bloggs", parsed.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("0770", parsed.Problem, StringComparison.Ordinal);
    }
}
