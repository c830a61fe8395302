using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Receipts;

namespace Referrals.Pipeline.Tests;

/// <summary>The webhook endpoints as the pipeline host registers them, on Azurite, before a sink that applies receipts is wired in.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class ReceiptsPipelineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Until_a_sink_is_registered_every_receipt_is_acknowledged_and_counted_as_an_unknown_message()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var now = pipeline.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes($$"""[{"email":"a@example.org","timestamp":{{now}},"event":"bounce","type":"blocked","sg_event_id":"e1","category":["entitlement-email"],"crimeReference":"DB/26/000101","victimId":"V1"}]""");
        var callback = Encoding.UTF8.GetBytes("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r1","to":"07700900001","status":"delivered","created_at":"2026-10-05T09:00:00.000000Z","completed_at":null,"sent_at":null,"notification_type":"sms","template_id":"f33517ff-2a88-4f6e-b855-c550268ce08a","template_version":1}""");

        var sendGrid = await TestWebhooks.PostSendGridAsync(pipeline.Services, body);
        var notify = await TestWebhooks.PostNotifyAsync(pipeline.Services, callback);
        var forged = await TestWebhooks.PostNotifyAsync(pipeline.Services, callback, token: "not-the-token");

        Assert.IsType<UnknownMessageSink>(pipeline.Services.GetRequiredService<IReceiptSink>());
        Assert.Equal((200, 200, 401), (sendGrid.Status, notify.Status, forged.Status));
        using var counts = JsonDocument.Parse(sendGrid.Body);
        Assert.Equal(1, counts.RootElement.GetProperty("unknown").GetInt32());
        var metrics = pipeline.Services.GetRequiredService<PipelineMetrics>();
        Assert.Equal((1, 1), (metrics.Total("receipt:sendgrid:unknown-message"), metrics.Total("receipt:notify:unknown-message")));
    }
}
