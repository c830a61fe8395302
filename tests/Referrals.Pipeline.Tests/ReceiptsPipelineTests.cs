using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMockResponse = WireMock.ResponseBuilders.Response;

namespace Referrals.Pipeline.Tests;

/// <summary>The webhook endpoints as the pipeline host registers them, on Azurite, applying receipts to the victims' contact state.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class ReceiptsPipelineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_receipt_about_a_message_the_pipeline_did_not_send_is_acknowledged_and_counted_as_an_unknown_message()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var now = pipeline.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes($$"""[{"email":"a@example.org","timestamp":{{now}},"event":"bounce","type":"blocked","sg_event_id":"e1","category":["entitlement-email"],"crimeReference":"DB/26/000101","victimId":"V1"}]""");
        var callback = Encoding.UTF8.GetBytes("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r1","to":"07700900001","status":"delivered","created_at":"2026-10-05T09:00:00.000000Z","completed_at":null,"sent_at":null,"notification_type":"sms","template_id":"f33517ff-2a88-4f6e-b855-c550268ce08a","template_version":1}""");

        var sendGrid = await TestWebhooks.PostSendGridAsync(pipeline.Services, body);
        var notify = await TestWebhooks.PostNotifyAsync(pipeline.Services, callback);
        var forged = await TestWebhooks.PostNotifyAsync(pipeline.Services, callback, token: "not-the-token");

        Assert.IsType<ContactReceiptSink>(pipeline.Services.GetRequiredService<IReceiptSink>());
        Assert.Equal((200, 200, 401), (sendGrid.Status, notify.Status, forged.Status));
        using var counts = JsonDocument.Parse(sendGrid.Body);
        Assert.Equal(1, counts.RootElement.GetProperty("unknown").GetInt32());
        var metrics = pipeline.Services.GetRequiredService<PipelineMetrics>();
        Assert.Equal((1, 1), (metrics.Total("receipt:sendgrid:unknown-message"), metrics.Total("receipt:notify:unknown-message")));
    }

    [Fact]
    public async Task A_signed_delivered_event_settles_the_email_once_and_a_repeat_changes_nothing()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal(State.MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        var now = pipeline.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes($$"""[{"email":"victim@example.org","timestamp":{{now}},"event":"delivered","sg_event_id":"d1","category":["entitlement-email"],"crimeReference":"DB/26/000101","victimId":"V1"}]""");

        var first = await TestWebhooks.PostSendGridAsync(pipeline.Services, body);
        var again = await TestWebhooks.PostSendGridAsync(pipeline.Services, body);

        Assert.Equal((200, 200), (first.Status, again.Status));
        Assert.Equal(1, JsonDocument.Parse(first.Body).RootElement.GetProperty("applied").GetInt32());
        Assert.Equal((0, 1), (JsonDocument.Parse(again.Body).RootElement.GetProperty("applied").GetInt32(), JsonDocument.Parse(again.Body).RootElement.GetProperty("alreadyKnown").GetInt32()));
        Assert.Equal(State.MessageStatus.Delivered, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        Assert.Equal(1, pipeline.SendGridCalls);
    }

    [Fact]
    public async Task A_Notify_callback_cannot_settle_an_email_another_channels_message_or_another_notification()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0], ContactSnapshots.Json("DB/26/900301", "07700 900301", address: true, "callback-1")]);
        await pipeline.WaitUntilIdleAsync();
        var text = Assert.Single(pipeline.Notify.Accepted);
        var emailReference = Referrals.Contact.MessageReference.Email("DB/26/000101", "V1");

        var emailByNotify = await PostCallbackAsync(pipeline, Guid.NewGuid(), emailReference, "permanent-failure", "email");
        var textAsEmail = await PostCallbackAsync(pipeline, Guid.Parse(text.Id), text.Reference, "permanent-failure", "email");
        var textAsLetter = await PostCallbackAsync(pipeline, Guid.Parse(text.Id), text.Reference, "permanent-failure", "letter");
        var anotherNotification = await PostCallbackAsync(pipeline, Guid.NewGuid(), text.Reference, "permanent-failure", "sms");
        var victims = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);

        Assert.Equal((200, 409, 409, 409), (emailByNotify.Status, textAsEmail.Status, textAsLetter.Status, anotherNotification.Status));
        Assert.Equal((MessageStatus.Sent, MessageStatus.Sent), (victims["DB/26/000101"].EmailStatus, victims["DB/26/900301"].SmsStatus));
        Assert.Equal(MessageStatus.NotNeeded, victims["DB/26/900301"].LetterStatus);
        var metrics = pipeline.Services.GetRequiredService<PipelineMetrics>();
        Assert.Equal((3, 1), (metrics.Total("receipt:notify:mismatch"), metrics.Total("receipt:notify:unknown-message")));
        Assert.Equal(
            "The receipt's reference names a message of this service, but its notification_type or id is not that message's: nothing changed.",
            JsonDocument.Parse(textAsLetter.Body).RootElement.GetProperty("detail").GetString());

        var own = await PostCallbackAsync(pipeline, Guid.Parse(text.Id), text.Reference, "delivered", "sms");
        Assert.Equal(200, own.Status);
        Assert.Equal(MessageStatus.Delivered, (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == "DB/26/900301").SmsStatus);
    }

    [Fact]
    public async Task A_texts_technical_failure_is_sent_three_times_then_the_letter_whose_technical_failure_is_not_sent_again()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/900302", "07700 900302", address: true, "technical-1")]);
        await pipeline.WaitUntilIdleAsync();

        for (var send = 1; send <= 3; send++)
        {
            var text = pipeline.Notify.Accepted[^1];
            Assert.Equal(("sms", send), (text.Type, pipeline.Notify.Accepted.Count));
            Assert.Equal(200, (await PostCallbackAsync(pipeline, Guid.Parse(text.Id), text.Reference, "technical-failure", "sms")).Status);
            await pipeline.WaitUntilIdleAsync();
        }

        var letter = pipeline.Notify.Accepted[^1];
        Assert.Equal(["sms", "sms", "sms", "letter"], pipeline.Notify.Accepted.Select(n => n.Type));
        Assert.Equal(["Sms1", "Sms2", "Sms3", "Letter1"], pipeline.Notify.Accepted.Select(n => LocalSettings.Tokens.TryOpenNotify(n.Reference, out var send) ? $"{send.Channel}{send.Attempt}" : "?"));
        Assert.Equal(200, (await PostCallbackAsync(pipeline, Guid.Parse(letter.Id), letter.Reference, "technical-failure", "letter")).Status);
        await pipeline.WaitUntilIdleAsync();

        var victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.Equal((MessageStatus.Failed, MessageStatus.Failed), (victim.SmsStatus, victim.LetterStatus));
        Assert.Equal(4, pipeline.Notify.Accepted.Count);
        Assert.Contains(nameof(DeliveryKind.ContactNeeded), victim.VcuTasks, StringComparison.Ordinal);
        Assert.Single(pipeline.Deliveries(), d => d.Kind == nameof(DeliveryKind.ContactNeeded));
    }

    [Fact]
    public async Task The_status_timer_applies_only_Notifys_answer_about_the_very_send_it_asked_about()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["Notify:StatusCheckAfter"] = "00:00:00";
        await pipeline.StartAsync();
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/900303", "07700 900303", address: true, "lookup-1")]);
        await pipeline.WaitUntilIdleAsync();
        var text = Assert.Single(pipeline.Notify.Accepted);
        using var notify = WireMockServer.Start();
        using var http = new HttpClient(PipelineServices.OutboundHandler());
        var options = Options.Create(new NotifyOptions { ApiKey = LocalNotify.ApiKey, BaseUrl = notify.Url!, StatusCheckAfter = TimeSpan.Zero });
        var sweep = new NotifyStatusSweep(
            pipeline.Services.GetRequiredService<VictimStateStore>(), pipeline.Services.GetRequiredService<Indexes.MonthIndex>(), pipeline.Services.GetRequiredService<Indexes.IndexOutbox>(), new NotifyStatusLookup(http, options, TimeProvider.System),
            pipeline.Services.GetRequiredService<ContactReceipts>(), options, TimeProvider.System, NullLogger<NotifyStatusSweep>.Instance, pipeline.Services.GetRequiredService<UnknownSettlement>(),
            pipeline.Services.GetRequiredService<AcceptedEmailSettlement>(), pipeline.Services.GetRequiredService<VictimChanges>(), pipeline.Services.GetRequiredService<Calendar.WorkingDayCalendar>(), pipeline.Services.GetRequiredService<Referrals.Contact.MessageToken>());
        async Task<int> SweepAnsweringAsync(string id, string reference, string type)
        {
            notify.Reset();
            notify.Given(Request.Create().WithPath($"/v2/notifications/{text.Id}").UsingGet())
                .RespondWith(WireMockResponse.Create().WithStatusCode(200).WithBody(
                    $$"""{"id":"{{id}}","reference":"{{reference}}","type":"{{type}}","status":"permanent-failure","created_at":"2026-10-05T09:00:00.000000Z"}"""));
            return await sweep.SweepAsync(CancellationToken.None);
        }

        var anotherId = await SweepAnsweringAsync($"{Guid.NewGuid():D}", text.Reference, "sms");
        var anotherSend = await SweepAnsweringAsync(text.Id, Referrals.Contact.MessageToken.NotifyReference(LocalSettings.Tokens, "DB/26/900303", "V1", Referrals.Contact.Channel.Sms, 2), "sms");
        var anotherType = await SweepAnsweringAsync(text.Id, text.Reference, "letter");
        Assert.Equal((0, 0, 0), (anotherId, anotherSend, anotherType));
        Assert.Equal(MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).SmsStatus);

        Assert.Equal(1, await SweepAnsweringAsync(text.Id, text.Reference, "sms"));
        Assert.Equal(MessageStatus.Failed, Assert.Single(await pipeline.VictimsAsync()).SmsStatus);
    }

    /// <summary>A delivery receipt as GOV.UK Notify posts it, through the host's own callback endpoint class.</summary>
    private static Task<EndpointResponse> PostCallbackAsync(PipelineTestHost pipeline, Guid id, string reference, string status, string type) =>
        TestWebhooks.PostNotifyAsync(pipeline.Services, new NotifyCallback(
            id, reference, "07700900301", status, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, type, Guid.Parse(LocalNotify.SmsTemplateId), 1).ToJson());
}
