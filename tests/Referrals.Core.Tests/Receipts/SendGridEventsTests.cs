using System.Text;
using System.Text.Json;
using Referrals.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Tests.Receipts;

/// <summary>SendGrid's Event Webhook batches as receipts: the mapping of issue 10, duplicates, order, and what is not SendGrid's.</summary>
public class SendGridEventsTests
{
    private static readonly string[] EntitlementCategories = ["entitlement-email"];

    private static string Event(string type, string id, string crime = "DB/26/000123", string victim = "V1", string category = "\"entitlement-email\"", string extra = "", string message = "m.1") =>
        $$"""{"email":"bounce@example.org","timestamp":1790000000,"event":"{{type}}","sg_event_id":"{{id}}","sg_message_id":"{{message}}","category":{{category}},"crimeReference":"{{crime}}","victimId":"{{victim}}"{{extra}}}""";

    private static Parsed<SendGridBatch> Parse(params string[] events) => SendGridEvents.Parse(Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]"));

    [Theory]
    [InlineData("delivered", ReceiptStatus.Delivered)]
    [InlineData("deferred", ReceiptStatus.Deferred)]
    [InlineData("bounce", ReceiptStatus.FailedForGood)]
    [InlineData("dropped", ReceiptStatus.FailedForGood)]
    [InlineData("spamreport", ReceiptStatus.SpamReported)]
    public void Each_delivery_event_maps_to_the_email_status_of_issue_10(string type, ReceiptStatus expected)
    {
        var receipt = Assert.Single(Parse(Event(type, "e1")).Value!.Receipts);

        Assert.Equal(new Receipt(ReceiptProvider.SendGrid, Channel.Email, MessageReference.Email("DB/26/000123", "V1"), expected, DateTimeOffset.FromUnixTimeSeconds(1790000000), "e1") { ProviderMessageId = "m.1" }, receipt);
    }

    [Theory]
    [InlineData("bounce")]
    [InlineData("blocked")]
    public void A_bounce_of_any_type_blocked_included_failed_for_good(string bounceType)
    {
        var receipt = Assert.Single(Parse(Event("bounce", "e1", extra: $",\"type\":\"{bounceType}\",\"reason\":\"550 5.1.1\"")).Value!.Receipts);

        Assert.Equal(ReceiptStatus.FailedForGood, receipt.Status);
    }

    [Theory]
    [InlineData("processed")]
    [InlineData("deferred")]
    public void Processed_and_deferred_say_SendGrid_has_the_email_and_are_not_final(string type)
    {
        // Rulebook 1.2 section 6: any event about a send whose outcome was unknown settles it as accepted (ReceiptRule).
        var receipt = Assert.Single(Parse(Event(type, "e1")).Value!.Receipts);

        Assert.Equal((ReceiptStatus.Deferred, false), (receipt.Status, receipt.IsFinal));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("click")]
    [InlineData("unsubscribe")]
    [InlineData("group_unsubscribe")]
    [InlineData("something_new")]
    public void Events_that_say_nothing_about_delivery_are_ignored(string type)
    {
        var batch = Parse(Event(type, "e1")).Value!;

        Assert.Empty(batch.Receipts);
        Assert.Equal([IgnoredEvent.NotAStatus], batch.Ignored);
    }

    [Fact]
    public void The_category_may_be_a_string_or_an_array_and_another_category_is_not_a_victim_message()
    {
        var batch = Parse(
            Event("delivered", "e1", category: "[\"entitlement-email\"]"),
            Event("delivered", "e2", category: "\"service-referral\"", message: "m.2"),
            Event("delivered", "e3", category: "[\"service-referral\"]", message: "m.3")).Value!;

        Assert.Equal(["e1"], batch.Receipts.Select(r => r.EventId));
        Assert.Equal([IgnoredEvent.NotAVictimMessage, IgnoredEvent.NotAVictimMessage], batch.Ignored);
    }

    [Fact]
    public void An_email_without_the_pipelines_custom_args_is_an_unknown_message()
    {
        var batch = Parse(
            """{"email":"a@example.org","timestamp":1790000000,"event":"delivered","sg_event_id":"e1","category":"entitlement-email"}""",
            Event("bounce", "e2", victim: "")).Value!;

        Assert.Empty(batch.Receipts);
        Assert.Equal([IgnoredEvent.UnknownMessage, IgnoredEvent.UnknownMessage], batch.Ignored);
    }

    [Fact]
    public void A_repeated_sg_event_id_counts_once()
    {
        var batch = Parse(Event("delivered", "e1"), Event("deferred", "e2"), Event("delivered", "e1"), Event("delivered", "e1")).Value!;

        Assert.Equal(["e1", "e2"], batch.Receipts.Select(r => r.EventId));
        Assert.Equal([IgnoredEvent.Duplicate, IgnoredEvent.Duplicate], batch.Ignored);
    }

    [Fact]
    public void The_same_event_about_the_same_message_at_the_same_second_counts_once_whatever_its_sg_event_id()
    {
        var batch = Parse(Event("delivered", "e1"), Event("delivered", "e9"), Event("bounce", "e3")).Value!;

        Assert.Equal(["e1", "e3"], batch.Receipts.Select(r => r.EventId));
        Assert.Equal([IgnoredEvent.Duplicate], batch.Ignored);
    }

    [Fact]
    public void A_batch_is_applied_in_the_order_of_its_timestamps_so_a_bounce_listed_first_but_later_comes_after_delivered()
    {
        var late = Event("bounce", "e2").Replace("\"timestamp\":1790000000", "\"timestamp\":1790000600", StringComparison.Ordinal).Replace(",\"sg_message_id\":\"m.1\"", string.Empty, StringComparison.Ordinal);

        var batch = Parse(late, Event("delivered", "e1")).Value!;

        Assert.Equal([ReceiptStatus.Delivered, ReceiptStatus.FailedForGood], batch.Receipts.Select(r => r.Status));
        Assert.Null(batch.Receipts[1].ProviderMessageId);
    }

    [Fact]
    public void An_emails_token_is_its_reference_from_its_custom_arg_or_when_the_custom_args_are_lost_from_its_Message_ID()
    {
        const string Token = "rt1.AbCd-_09xyz";
        var withArg = $$"""{"email":"a@example.org","timestamp":1790000000,"event":"delivered","sg_event_id":"e1","category":["entitlement-email"],"ref":"{{Token}}"}""";
        var lostArgs = $$"""{"email":"a@example.org","timestamp":1790000600,"event":"bounce","sg_event_id":"e2","category":["entitlement-email"],"smtp-id":"<{{Token}}@police.example>"}""";
        var neither = """{"email":"a@example.org","timestamp":1790000700,"event":"bounce","sg_event_id":"e3","category":["entitlement-email"],"smtp-id":"<x@sendgrid.net>"}""";

        var batch = Parse(withArg, lostArgs, neither).Value!;

        Assert.Equal([(Token, ReceiptStatus.Delivered), (Token, ReceiptStatus.FailedForGood)], batch.Receipts.Select(r => (r.Reference, r.Status)));
        Assert.Equal([IgnoredEvent.UnknownMessage], batch.Ignored);
    }

    [Fact]
    public void A_bounce_naming_no_message_is_handed_on_by_the_keyed_hash_of_its_recipient_only_and_delivered_carries_it_too()
    {
        const string Token = "rt1.AbCd-_09xyz";
        var delivered = $$"""{"email":" Parent@Example.org ","timestamp":1790000000,"event":"delivered","sg_event_id":"e1","category":["entitlement-email"],"ref":"{{Token}}"}""";
        var neither = """{"email":"parent@example.org","timestamp":1790000700,"event":"bounce","sg_event_id":"e3","category":["entitlement-email"],"smtp-id":"<x@sendgrid.net>"}""";
        var noCategory = """{"email":"parent@example.org","timestamp":1790000800,"event":"bounce","sg_event_id":"e4"}""";
        var serviceBounce = """{"email":"parent@example.org","timestamp":1790000900,"event":"bounce","sg_event_id":"e5","category":"service-referral"}""";
        var droppedNeither = """{"email":"parent@example.org","timestamp":1790000950,"event":"dropped","sg_event_id":"e6","category":["entitlement-email"]}""";
        var noAddress = """{"timestamp":1790001000,"event":"bounce","sg_event_id":"e7","category":["entitlement-email"]}""";
        var keyed = new List<string>();

        var batch = SendGridEvents.Parse(Encoding.UTF8.GetBytes($"[{delivered},{neither},{noCategory},{serviceBounce},{droppedNeither},{noAddress}]"), a =>
        {
            keyed.Add(a);
            return "key:" + a.Length;
        }).Value!;

        Assert.Equal(
            [(Token, ReceiptStatus.Delivered, "key:18", false), ("", ReceiptStatus.FailedForGood, "key:18", true), ("", ReceiptStatus.FailedForGood, "key:18", true)],
            batch.Receipts.Select(r => (r.Reference, r.Status, r.RecipientKey, r.IsByRecipientOnly)));
        Assert.Equal(["parent@example.org", "parent@example.org", "parent@example.org"], keyed);
        Assert.Equal([IgnoredEvent.NotAVictimMessage, IgnoredEvent.UnknownMessage, IgnoredEvent.UnknownMessage], batch.Ignored);
        Assert.DoesNotContain(batch.Receipts, r => r.ToString().Contains("parent@", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(batch.Receipts, r => r.ToString().Contains("key:18", StringComparison.Ordinal));
    }

    [Fact]
    public void Any_order_of_a_batch_gives_the_same_receipts()
    {
        string[] events = [Event("deferred", "e1"), Event("delivered", "e2"), Event("bounce", "e3", victim: "V2"), Event("processed", "e4"), Event("delivered", "e2")];
        var expected = Parse(events).Value!.Receipts.OrderBy(r => r.EventId, StringComparer.Ordinal).ToList();
        var random = new Random(10);

        for (var i = 0; i < 50; i++)
        {
            var shuffled = events.OrderBy(_ => random.Next()).ToArray();
            Assert.Equal(expected, Parse(shuffled).Value!.Receipts.OrderBy(r => r.EventId, StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"event\":\"delivered\"}")]
    [InlineData("[]")]
    [InlineData("[1]")]
    [InlineData("[\"delivered\"]")]
    [InlineData("[{\"timestamp\":1790000000,\"sg_event_id\":\"e1\"}]")]
    [InlineData("[{\"event\":\"delivered\",\"timestamp\":1790000000}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\"}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\",\"timestamp\":\"1790000000\"}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\",\"timestamp\":1790000000.5}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\",\"timestamp\":-1}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":7,\"timestamp\":1790000000}]")]
    [InlineData("[{\"event\":\"\",\"sg_event_id\":\"e1\",\"timestamp\":1790000000}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\",\"timestamp\":1790000000,\"victimId\":42}]")]
    [InlineData("[{\"event\":\"delivered\",\"sg_event_id\":\"e1\",\"timestamp\":1790000000}")]
    public void A_body_that_is_not_what_SendGrid_sends_is_refused_whole(string body)
    {
        var parsed = SendGridEvents.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Null(parsed.Value);
        Assert.NotNull(parsed.Problem);
    }

    [Fact]
    public void One_bad_event_refuses_the_whole_batch_and_its_reason_quotes_no_value()
    {
        var parsed = Parse(Event("delivered", "e1"), """{"event":"delivered","sg_event_id":"Jo Bloggs","timestamp":"jo@example.org"}""");

        Assert.Null(parsed.Value);
        Assert.DoesNotContain("Bloggs", parsed.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("jo@", parsed.Problem, StringComparison.Ordinal);
        Assert.Contains("event 1", parsed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_input_is_refused_rather_than_parsed()
    {
        var body = "[" + new string('[', 100) + new string(']', 100) + "]";

        Assert.Null(SendGridEvents.Parse(Encoding.UTF8.GetBytes(body)).Value);
    }

    [Fact]
    public void A_batch_the_local_stand_in_and_SendGrid_both_produce_parses()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new Dictionary<string, object> { ["email"] = "a@example.org", ["timestamp"] = 1790000000L, ["event"] = "bounce", ["type"] = "blocked", ["sg_event_id"] = "e1", ["category"] = EntitlementCategories, ["crimeReference"] = "DB/26/1", ["victimId"] = "V9" },
        });

        Assert.Equal(ReceiptStatus.FailedForGood, Assert.Single(SendGridEvents.Parse(body).Value!.Receipts).Status);
    }
}
