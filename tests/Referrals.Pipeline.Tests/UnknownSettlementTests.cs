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

    private static string? Crime(string? reference) => LocalSettings.Tokens.TryOpenNotify(reference, out var sent) ? sent.CrimeReference : null;

    private static async Task RedeliverEveryWorkItemAsync(PipelineTestHost pipeline, int times)
    {
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            foreach (var channel in new[] { Channel.Sms, Channel.Letter })
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
