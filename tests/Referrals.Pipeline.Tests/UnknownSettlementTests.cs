using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome", settled by the status timer from GOV.UK Notify's own records (the stand-in,
/// which keeps notifications only within the service's retention and answers look-ups by reference as Notify does), with
/// one clock the test moves for the pipeline and the stand-in. One run covers every path: accepted then a 500, a dropped
/// connection or a 201 without an id (found: its status applies); lost before Notify once (not found: sent again with
/// the same reference) or twice (unsettled: a ContactNeeded task); past the retention (unsettled, never asked). No victim
/// gets a second message Notify accepted across all of it and three redeliveries of every work item.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class UnknownSettlementTests(AzuriteFixture azurite)
{
    private const string Found500 = "DB/26/930001";
    private const string FoundDropped = "DB/26/930002";
    private const string LostOnce = "DB/26/930003";
    private const string LostTwice = "DB/26/930004";
    private const string FoundNoId = "DB/26/930005";
    private const string PastRetention = "DB/26/930006";

    [Fact]
    public async Task A_Notify_unknown_is_settled_by_a_look_up_by_reference_and_never_sent_twice()
    {
        // Whole seconds: Notify's times have microseconds, so the times it reports read back exactly.
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var pipeline = new PipelineTestHost(azurite, time: time, notifyOnSameClock: true);
        await using var proxy = await MisbehavingNotify.StartAsync(pipeline.Notify.Url);
        var lostOnceSends = 0;
        proxy.Fault = reference => !LocalSettings.Tokens.TryOpenNotify(reference, out var sent) ? NotifyFault.None : sent.CrimeReference switch
        {
            Found500 or PastRetention => NotifyFault.Status500,
            FoundDropped => NotifyFault.DropConnection,
            FoundNoId => NotifyFault.NoId,
            LostOnce => Interlocked.Increment(ref lostOnceSends) == 1 ? NotifyFault.LostBeforeNotify : NotifyFault.None,
            LostTwice => NotifyFault.LostBeforeNotify,
            _ => NotifyFault.None,
        };
        pipeline.Settings["Notify:BaseUrl"] = proxy.Url;
        await pipeline.StartAsync();
        var sweep = pipeline.Services.GetRequiredService<NotifyStatusSweep>();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        async Task<MessageState> MessageAsync(string crime, Channel channel) => (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State.Contact[channel];

        string[] crimes = [Found500, FoundDropped, LostOnce, LostTwice, FoundNoId];
        await pipeline.SendAsync(crimes.Select((c, i) => ContactSnapshots.Json(c, c == FoundDropped ? null : $"07700 900{400 + i}", address: true, $"settle-{i}")));
        await pipeline.WaitUntilIdleAsync();
        await Task.Delay(300); // the stand-in's texts and print run (real time)
        foreach (var crime in crimes)
        {
            Assert.Equal(MessageStatus.Unconfirmed, (await MessageAsync(crime, crime == FoundDropped ? Channel.Letter : Channel.Sms)).Status);
        }

        // Before the send timeout plus 5 minutes nothing is asked; then each is looked up by its reference.
        await sweep.SweepAsync(CancellationToken.None);
        Assert.DoesNotContain(pipeline.Notify.Requests, r => r.Path == "GET /v2/notifications");
        time.Now += TimeSpan.FromMinutes(7);
        await sweep.SweepAsync(CancellationToken.None);
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);
        await Task.Delay(300);
        time.Now += TimeSpan.FromMinutes(7);
        await sweep.SweepAsync(CancellationToken.None); // the second unknown of LostTwice: not found again
        await pipeline.WaitUntilIdleAsync();

        // Found: the send is Notify's (its id), dated by Notify, and its status applied; a text delivered by Notify is delivered.
        var text = await MessageAsync(Found500, Channel.Sms);
        var notified = pipeline.Notify.Accepted.Single(n => n.Id == text.ProviderId);
        Assert.Equal((MessageStatus.Delivered, notified.Statuses[^1].At), (text.Status, text.DeliveredAt!.Value));
        Assert.Equal(notified.CreatedAt, text.SentAt);
        Assert.Contains((await MessageAsync(FoundDropped, Channel.Letter)).Status, new[] { MessageStatus.Sent, MessageStatus.Delivered });
        Assert.Contains((await MessageAsync(FoundNoId, Channel.Sms)).Status, new[] { MessageStatus.Sent, MessageStatus.Delivered });

        // Not found: sent again with the same reference (the same send), which Notify accepted once.
        var resent = await MessageAsync(LostOnce, Channel.Sms);
        Assert.Equal((MessageStatus.Sent, 1, 1), (resent.Status, resent.Attempts, resent.Resends));
        var lostOnceReference = MessageToken.NotifyReference(LocalSettings.Tokens, LostOnce, "V1", Channel.Sms, 1);
        Assert.Equal(new[] { lostOnceReference, lostOnceReference }, proxy.Requests.Where(r => r.Path.StartsWith("/v2/notifications/", StringComparison.Ordinal) && Crime(r.Reference) == LostOnce).Select(r => r.Reference));

        // Not found twice: unsettled, never the next channel, and the Victim Care Unit asked to make contact.
        var lostTwice = (await states.LoadVictimAsync(LostTwice, "V1", CancellationToken.None))!.State;
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled, MessageStatus.NotNeeded), (lostTwice.Contact.Sms.Status, lostTwice.Contact.Sms.Reason, lostTwice.Contact.Letter.Status));
        Assert.Contains(lostTwice.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });

        // No victim got two messages Notify accepted, none went on to the letter, and the proxy saw each send once (twice for the lost ones).
        Assert.Equal(
            new[] { (Found500, 1), (FoundDropped, 1), (LostOnce, 2), (LostTwice, 2), (FoundNoId, 1) },
            crimes.Select(c => (c, proxy.Requests.Count(r => r.Path.StartsWith("/v2/notifications/", StringComparison.Ordinal) && Crime(r.Reference) == c))));
        Assert.Equal(crimes.Where(c => c != LostTwice).Order(), pipeline.Notify.Accepted.Select(n => Crime(n.Reference)).Order());

        // Past Notify's retention: unsettled without asking, because Notify would have nothing to say.
        await pipeline.SendAsync([ContactSnapshots.Json(PastRetention, "07700 900499", address: true, "settle-past")]);
        await pipeline.WaitUntilIdleAsync();
        var lookUps = pipeline.Notify.Requests.Count(r => r.Path == "GET /v2/notifications");
        time.Now += TimeSpan.FromDays(8);
        await sweep.SweepAsync(CancellationToken.None);
        await pipeline.WaitUntilIdleAsync();
        var past = (await states.LoadVictimAsync(PastRetention, "V1", CancellationToken.None))!.State;
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (past.Contact.Sms.Status, past.Contact.Sms.Reason));
        Assert.Contains(past.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal(lookUps, pipeline.Notify.Requests.Count(r => r.Path == "GET /v2/notifications"));
        Assert.Single(pipeline.Notify.Accepted, n => Crime(n.Reference) == PastRetention);
    }

    [Fact]
    public async Task A_SendGrid_unknown_is_sent_once_more_only_after_24_hours_of_silence_with_a_healthy_webhook()
    {
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var silentSends = 0;
        int? Answer(string to) => to switch
        {
            "silence-1@example.org" => Interlocked.Increment(ref silentSends) == 1 ? 500 : null,
            "heard-2@example.org" => PipelineTestHost.TakenThen500,
            "unhealthy-3@example.org" => 500,
            _ => null,
        };
        await using var pipeline = new PipelineTestHost(azurite, time: time, receipts: true, notifyOnSameClock: true, sendGridTo: Answer);
        pipeline.Settings["SendGrid:ProcessedAndDeferredEvents"] = "true";
        await pipeline.StartAsync();
        var health = pipeline.Services.GetRequiredService<Receipts.WebhookHealth>();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        async Task<MessageState> EmailAsync(string crime) => (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State.Contact.Email;
        // Every call to SendGrid for that address (answered 500 or not), by the token it carried.
        List<string> Tokens(string to) => [.. pipeline.SendGrid.LogEntries
            .Select(e => System.Text.Json.JsonDocument.Parse(e.RequestMessage.Body!).RootElement.GetProperty("personalizations")[0])
            .Where(p => p.GetProperty("to")[0].GetProperty("email").GetString() == to)
            .Select(p => p.GetProperty("custom_args").GetProperty("ref").GetString()!)];

        // SendGrid answered 500 to both; it took the second, whose processed and delivered events settle it as accepted.
        var t0 = time.Now;
        await pipeline.SendAsync([
            ContactSnapshots.Json("DB/26/931001", null, address: false, "sg-1", email: "silence-1@example.org"),
            ContactSnapshots.Json("DB/26/931002", null, address: false, "sg-2", email: "heard-2@example.org")]);
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal((MessageStatus.Unconfirmed, MessageStatus.Delivered), ((await EmailAsync("DB/26/931001")).Status, (await EmailAsync("DB/26/931002")).Status));

        // The webhook answered in each 6 hours of the day after the send (the first batch above, and three more).
        foreach (var hours in new[] { 6, 12, 18 })
        {
            await health.RecordAsync(answered: true, t0 + TimeSpan.FromHours(hours), CancellationToken.None);
        }

        time.Now = t0 + TimeSpan.FromHours(23);
        await pipeline.WaitUntilIdleAsync(); // runs the status timer: 23 hours of silence are not 24
        Assert.Single(Tokens("silence-1@example.org"));
        time.Now = t0 + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.WaitUntilIdleAsync();

        // Sent once more, as a new send with its own token, and delivered; the one SendGrid had heard of never again.
        var resent = await EmailAsync("DB/26/931001");
        Assert.Equal((MessageStatus.Delivered, 2, 1), (resent.Status, resent.Attempts, resent.Resends));
        var tokens = Tokens("silence-1@example.org");
        Assert.Equal(2, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Single(Tokens("heard-2@example.org"));

        // Two days on: silence with a webhook that failed a batch in the 24 hours is not silence: unsettled, a task, no resend.
        var t1 = t0 + TimeSpan.FromDays(2);
        time.Now = t1;
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/931003", null, address: false, "sg-3", email: "unhealthy-3@example.org")]);
        await pipeline.WaitUntilIdleAsync();
        foreach (var hours in new[] { 0, 6, 12, 18 })
        {
            await health.RecordAsync(answered: true, t1 + TimeSpan.FromHours(hours), CancellationToken.None);
        }

        await health.RecordAsync(answered: false, t1 + TimeSpan.FromHours(3), CancellationToken.None);
        time.Now = t1 + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        await pipeline.WaitUntilIdleAsync();
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);
        var unhealthy = (await states.LoadVictimAsync("DB/26/931003", "V1", CancellationToken.None))!.State;
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (unhealthy.Contact.Email.Status, unhealthy.Contact.Email.Reason));
        Assert.Contains(unhealthy.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal((2, 1, 1), (Tokens("silence-1@example.org").Count, Tokens("heard-2@example.org").Count, Tokens("unhealthy-3@example.org").Count));
    }

    [Fact]
    public async Task Facing_500_sends_Notify_no_longer_knows_the_status_timer_settles_a_newer_lost_callback_in_its_next_run()
    {
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var pipeline = new PipelineTestHost(azurite, time: time, notifyOnSameClock: true);
        await pipeline.StartAsync();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        var table = pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable);

        // One text Notify accepted whose callback never came, cloned as 500 victims' rows with their status index rows.
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/940000", "07700 900500", address: false, "old-0")]);
        await pipeline.WaitUntilIdleAsync();
        var old = (await table.GetEntityAsync<VictimStateEntity>(VictimStateStore.PartitionKeyFor("DB/26/940000"), VictimStateStore.RowKeyFor("DB/26/940000", "V1"))).Value;
        var crimes = Enumerable.Range(1, 500).Select(i => $"DB/26/94{i:D4}").ToList();
        var indexRows = new List<Azure.Data.Tables.TableEntity>();
        foreach (var crime in crimes)
        {
            (old.PartitionKey, old.RowKey, old.CrimeReference, old.ETag) = (VictimStateStore.PartitionKeyFor(crime), VictimStateStore.RowKeyFor(crime, "V1"), crime, default);
            await table.UpsertEntityAsync(old);
            indexRows.AddRange(Indexes.MonthIndex.RowsOf(crime, [], Referrals.Indexes.IndexRule.Of(old.ToStored().State)));
        }

        await pipeline.Services.GetRequiredService<Indexes.MonthIndex>().WriteAsync(indexRows, CancellationToken.None);

        // Eight days on (Notify keeps texts 7), a newer text's callback is lost; the timer's next run after StatusCheckAfter.
        time.Now += TimeSpan.FromDays(8);
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/949999", "07700 900501", address: false, "new-0")]);
        await pipeline.WaitUntilIdleAsync();
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !pipeline.Notify.Accepted.Any(n => Crime(n.Reference) == "DB/26/949999" && n.Status == "delivered") && waited.Elapsed < TimeSpan.FromSeconds(10);)
        {
            await Task.Delay(50); // the stand-in delivers the text (its callback goes nowhere), in real time: later on a busy machine
        }

        time.Now += TimeSpan.FromHours(1);
        var asked = pipeline.Notify.Requests.Count(r => r.Path.StartsWith("GET /v2/notifications/", StringComparison.Ordinal));
        await pipeline.Services.GetRequiredService<NotifyStatusSweep>().SweepAsync(CancellationToken.None);

        var newer = (await states.LoadVictimAsync("DB/26/949999", "V1", CancellationToken.None))!.State.Contact.Sms;
        Assert.Equal(MessageStatus.Delivered, newer.Status);
        Assert.Equal(asked + 1, pipeline.Notify.Requests.Count(r => r.Path.StartsWith("GET /v2/notifications/", StringComparison.Ordinal)));
        foreach (var crime in crimes.Where((_, i) => i % 50 == 0).Append("DB/26/940000"))
        {
            var victim = (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State;
            Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled), (victim.Contact.Sms.Status, victim.Contact.Sms.Reason));
            Assert.Contains(victim.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        }
    }

    private static string? Crime(string? reference) => LocalSettings.Tokens.TryOpenNotify(reference, out var sent) ? sent.CrimeReference : null;

    private static async Task RedeliverEveryWorkItemAsync(PipelineTestHost pipeline, int times)
    {
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            foreach (var channel in ChannelNames.InOrder)
            {
                for (var i = 0; i < times; i++)
                {
                    await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, channel), CancellationToken.None);
                }
            }
        }

        await pipeline.WaitUntilIdleAsync();
    }
}
