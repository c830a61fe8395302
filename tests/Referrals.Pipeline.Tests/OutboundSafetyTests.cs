using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMockResponse = WireMock.ResponseBuilders.Response;

namespace Referrals.Pipeline.Tests;

/// <summary>What leaves the pipeline, through the local host on Azurite: the kill switch, an unknown SendGrid outcome, a redirecting service.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class OutboundSafetyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Paused_nothing_leaves_and_nothing_is_dead_lettered_and_once_resumed_everything_goes_exactly_once()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["Outbound:Paused"] = "true";
        pipeline.Settings["Outbound:PausedRecheckInterval"] = "00:00:01";
        await pipeline.StartAsync();

        await pipeline.SendAsync(Samples.Lines[..10]);
        await WaitUntilIngestedAsync(pipeline);
        await pipeline.SendAsync(Samples.Lines[10..]);
        await WaitUntilIngestedAsync(pipeline);
        await Task.Delay(TimeSpan.FromSeconds(6)); // every work item has come back and been held several times

        Assert.Equal(0, pipeline.SendGridCalls);
        Assert.Empty(pipeline.ServiceApis.LogEntries);
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.Equal(0, await PoisonQueuedAsync(pipeline));
        var clients = pipeline.Services.GetRequiredService<StorageClients>();
        var emails = clients.Queues.GetQueueClient(pipeline.Options.MessageQueue);
        Assert.True((await emails.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0, "the email work waits in its queue");
        Assert.All((await emails.PeekMessagesAsync(32)).Value, m => Assert.True(m.DequeueCount <= 1, $"dequeued {m.DequeueCount} times"));
        Assert.All(await pipeline.VictimsAsync(), v => Assert.NotEqual(MessageStatus.Sending, v.EmailStatus));

        var configuration = (IConfigurationRoot)pipeline.Services.GetRequiredService<IConfiguration>();
        configuration["Outbound:Paused"] = "false";
        configuration.Reload();
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(Samples.ExpectedEmails.Order(), pipeline.EmailsAccepted().Select(e => (e.Crime, e.Victim)).Order());
        var delivered = pipeline.Deliveries();
        Assert.NotEmpty(delivered);
        Assert.Equal(delivered.Count, delivered.Select(d => d.Id).Distinct().Count());
        var rows = await pipeline.DeliveryRowsAsync();
        Assert.All(rows, d => Assert.True(d.Status is DeliveryStatus.Delivered or DeliveryStatus.Cancelled, $"{d.Id} is {d.Status}"));
        Assert.Equal(rows.Where(d => d.Status == DeliveryStatus.Delivered).Select(d => d.Id).Order(), delivered.Select(d => d.Id).Order());
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.Equal(0, await PoisonQueuedAsync(pipeline));
    }

    [Fact]
    public async Task SendGrid_taking_the_request_then_stalling_past_the_timeout_gives_one_call_an_Unconfirmed_email_and_a_dead_letter()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["SendGrid:Timeout"] = "00:00:01";
        var received = 0;
        pipeline.SendGrid.ResetMappings();
        pipeline.SendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost())
            .RespondWith(WireMockResponse.Create().WithCallback(_ =>
            {
                Interlocked.Increment(ref received);
                return new WireMock.ResponseMessage { StatusCode = 202 };
            }).WithDelay(TimeSpan.FromSeconds(3)));
        await pipeline.StartAsync();

        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var victim = (await pipeline.VictimsAsync()).Single();

        // A redelivery of the same work item (at-least-once delivery) must not send it again.
        await pipeline.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(pipeline.Options.MessageQueue)
            .SendMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version).ToJson());
        await pipeline.WaitUntilIdleAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(1, Volatile.Read(ref received));
        var after = (await pipeline.VictimsAsync()).Single();
        Assert.Equal(MessageStatus.Unconfirmed, after.EmailStatus);
        Assert.Contains("may have accepted", after.EmailReason, StringComparison.Ordinal);
        var deadLetter = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.Equal((pipeline.Options.MessageQueue, victim.VictimId), (deadLetter.Queue, deadLetter.VictimId));
        Assert.Contains("check SendGrid's activity", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_redirecting_elsewhere_gets_nothing_sent_on_and_the_referral_fails_for_good_with_the_reason()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        using var elsewhere = WireMockServer.Start();
        elsewhere.Given(Request.Create().UsingAnyMethod()).RespondWith(WireMockResponse.Create().WithStatusCode(201));
        pipeline.ServiceApis.ResetMappings();
        pipeline.ServiceApis.Given(Request.Create().WithPath("/general/referrals").UsingPost())
            .RespondWith(WireMockResponse.Create().WithStatusCode(307).WithHeader("Location", $"{elsewhere.Url}/general/referrals"));
        await pipeline.StartAsync();

        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();

        Assert.Empty(elsewhere.LogEntries);
        Assert.Single(pipeline.ServiceApis.LogEntries);
        var referral = (await pipeline.DeliveryRowsAsync()).Single(d => d.ServiceId == "general");
        Assert.Equal((DeliveryStatus.Failed, 307), (referral.Status, referral.HttpStatus));
        Assert.Equal("general answered with a redirect (307); redirects are not followed, so nothing was sent elsewhere", referral.Reason);
        Assert.Contains(await pipeline.DeadLettersAsync(DeadLetterKind.Poison), d => d.Reason == referral.Reason);
    }

    private static async Task WaitUntilIngestedAsync(PipelineTestHost pipeline)
    {
        var crimeEvents = pipeline.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(pipeline.Options.CrimeEventsQueue);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); (await crimeEvents.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the snapshots were not ingested within 60 seconds");
        }
    }

    private static async Task<int> PoisonQueuedAsync(PipelineTestHost pipeline)
    {
        var clients = pipeline.Services.GetRequiredService<StorageClients>();
        var total = 0;
        foreach (var queue in pipeline.Options.Queues)
        {
            total += (await clients.Queues.GetQueueClient(PipelineOptions.PoisonQueueOf(queue)).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return total;
    }
}
