using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.StandIns.SendGrid;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome", for SendGrid with its Email Activity API (<c>SendGrid:EmailActivityApi</c>):
/// the status timer asks SendGrid's stand-in (over HTTP, with the SendGrid client) about each email whose outcome is
/// unknown, two hours after its send, at most 6 a run, on one clock the test moves for the pipeline and the stand-in.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class EmailActivitySettlementTests(AzuriteFixture azurite)
{
    private const string Heard = "activity-heard@example.org";
    private const string Bounced = "bounce-activity@example.org";
    private const string NeverFinal = "DB/26/950099";

    [Fact]
    public async Task A_SendGrid_unknown_is_settled_by_the_Email_Activity_API_within_its_rate_limit_and_never_sent_twice()
    {
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var lost = Enumerable.Range(1, 5).Select(i => $"activity-lost-{i}@example.org").ToList();
        var calls = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        int? Answer(string to) => to switch
        {
            Heard or Bounced => PipelineTestHost.TakenThen500, // SendGrid took it; its events are lost
            _ when lost.Contains(to) => calls.AddOrUpdate(to, 1, (_, n) => n + 1) == 1 ? 500 : null, // never reached SendGrid, then taken
            _ => null,
        };
        await using var pipeline = new PipelineTestHost(azurite, time: time, receipts: true, notifyOnSameClock: true, sendGridTo: Answer, unheard: to => to is Heard or Bounced);
        pipeline.Settings["SendGrid:EmailActivityApi"] = "true";
        await pipeline.StartAsync();
        var settlement = pipeline.Services.GetRequiredService<UnknownSettlement>();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        async Task<MessageState> EmailAsync(string crime) => (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State.Contact.Email;
        List<string> Tokens(string to) => [.. pipeline.MailSends
            .Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement.GetProperty("personalizations")[0])
            .Where(p => p.GetProperty("to")[0].GetProperty("email").GetString() == to)
            .Select(p => p.GetProperty("custom_args").GetProperty("ref").GetString()!)];
        int LookUps() => pipeline.SendGrid.LogEntries.Count(e => e.RequestMessage.Path == "/v3/messages");

        string[] to = [Heard, Bounced, .. lost];
        var t0 = time.Now;
        await pipeline.SendAsync(to.Select((address, i) => ContactSnapshots.Json($"DB/26/95000{i}", null, address: false, $"activity-{i}", email: address))
            .Append(ContactSnapshots.Json(NeverFinal, null, address: false, "activity-never-final", email: "no-final-activity@example.org")));
        await pipeline.WaitUntilIdleAsync();
        foreach (var i in Enumerable.Range(0, to.Length))
        {
            Assert.Equal(MessageStatus.Unconfirmed, (await EmailAsync($"DB/26/95000{i}")).Status);
        }

        // An hour on, the activity feed may not have it yet: nothing is asked.
        time.Now = t0 + TimeSpan.FromHours(1);
        Assert.Equal(0, (await settlement.SettleAsync(CancellationToken.None)).AskedSendGrid);
        Assert.Equal(0, LookUps());

        // Two hours on, with this minute's 6 requests already spent elsewhere: SendGrid answers 429, the run stops asking, nothing is sent.
        time.Now = t0 + UnknownRule.ActivityIndexingDelay + TimeSpan.FromMinutes(3);
        using (var http = new HttpClient())
        {
            for (var i = 0; i < 6; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{pipeline.SendGrid.Url}/v3/messages?limit=1&query=msg_id%3D%22other%22");
                request.Headers.Authorization = new("Bearer", pipeline.Settings["SendGrid:ApiKey"]);
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
            }
        }

        var limited = await settlement.SettleAsync(CancellationToken.None);
        Assert.Equal((1, true, 0, 0, 0), (limited.AskedSendGrid, limited.SendGridRateLimited, limited.Settled, limited.SentAgain, limited.Unsettled));
        Assert.All(to, address => Assert.Single(Tokens(address)));

        // A minute on: 6 asked (the budget of a run), then the seventh on the next run.
        time.Now += TimeSpan.FromMinutes(1);
        var first = await settlement.SettleAsync(CancellationToken.None);
        time.Now += TimeSpan.FromMinutes(1);
        var second = await settlement.SettleAsync(CancellationToken.None);
        Assert.Equal((6, 1), (first.AskedSendGrid, second.AskedSendGrid));
        Assert.Equal((2, 5, 0), (first.Settled + second.Settled, first.SentAgain + second.SentAgain, first.Unsettled + second.Unsettled));
        await pipeline.WaitUntilIdleAsync();
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);

        // Found delivered: delivered, dated by SendGrid's time, never sent again.
        var heard = await EmailAsync("DB/26/950000");
        Assert.Equal((MessageStatus.Delivered, t0, t0), (heard.Status, heard.SentAt!.Value, heard.DeliveredAt!.Value));

        // Found not delivered: failed for good, as a bounce would.
        var bounced = await EmailAsync("DB/26/950001");
        Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed), (bounced.Status, bounced.Reason));

        // Not found: sent once more with a new token (and delivered), once, across the redeliveries.
        foreach (var (address, i) in lost.Select((a, i) => (a, i + 2)))
        {
            var resent = await EmailAsync($"DB/26/95000{i}");
            Assert.Equal((MessageStatus.Delivered, 2, 1), (resent.Status, resent.Attempts, resent.Resends));
            Assert.Equal(2, Tokens(address).Distinct(StringComparer.Ordinal).Count());
        }

        Assert.Equal((1, 1), (Tokens(Heard).Count, Tokens(Bounced).Count));
        var lookUps = LookUps();
        Assert.Equal(0, (await settlement.SettleAsync(CancellationToken.None)).AskedSendGrid);
        Assert.Equal(lookUps, LookUps());

        // Accepted (processed, nothing more): 96 hours on, asked once more; still processed: unsettled, a task, never sent again.
        Assert.Equal(MessageStatus.Sent, (await EmailAsync(NeverFinal)).Status);
        time.Now = t0 + Referrals.State.AcceptedEmailRule.FinalEventWindow + TimeSpan.FromMinutes(1);
        var sweep = pipeline.Services.GetRequiredService<Notify.NotifyStatusSweep>();
        await sweep.SweepAsync(CancellationToken.None);
        await sweep.SweepAsync(CancellationToken.None);
        var neverFinal = (await states.LoadVictimAsync(NeverFinal, "V1", CancellationToken.None))!.State;
        Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled, 1), (neverFinal.Contact.Email.Status, neverFinal.Contact.Email.Reason, neverFinal.Contact.Email.Attempts));
        Assert.Single(neverFinal.Tasks.Tasks, t => t is { Kind: Referrals.Tasks.TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal(lookUps + 1, LookUps());
        Assert.Single(Tokens("no-final-activity@example.org"));
    }

    [Fact]
    public async Task Hostile_or_no_answers_from_the_Email_Activity_API_never_crash_the_settlement_never_reach_a_log_and_fall_back_to_silence_after_24_hours()
    {
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var pipeline = new PipelineTestHost(azurite, time: time, sendGridTo: _ => 500);
        var hostile = "X-Injected: 1\r\n" + new string('a', 300);
        var answers = new Queue<string>([
            """{"messages": []""" + new string(' ', 5 * 1024 * 1024) + "}", // "not found" (sent again), but over 1 MiB: not believed
            """{"messages": "nope"}""",
            JsonSerializer.Serialize(new { messages = new[] { new { msg_id = hostile, status = "delivered" } } }),
            JsonSerializer.Serialize(new { messages = new[] { new { msg_id = "abc", status = "\u202Edelivered\nX-Injected: 1", last_event_time = "not a time" } } }),
        ]);
        var unanswered = LocalSettings.Tokens.Seal(new MessageSend("DB/26/951001", "V1", Channel.Email, 1));
        pipeline.SendGrid.Given(Request.Create().WithPath("/v3/messages").UsingGet())
            .RespondWith(Response.Create().WithCallback(request => request.Url.Contains(unanswered, StringComparison.Ordinal)
                ? new WireMock.ResponseMessage { StatusCode = 503 }
                : new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    BodyData = new WireMock.Util.BodyData { BodyAsString = answers.Count > 0 ? answers.Dequeue() : "{}", DetectedBodyType = WireMock.Types.BodyType.String },
                }));
        pipeline.Settings["SendGrid:EmailActivityApi"] = "true";
        await pipeline.StartAsync();
        await pipeline.SendAsync([
            ContactSnapshots.Json("DB/26/951000", null, address: false, "hostile-activity", email: "hostile@example.org"),
            ContactSnapshots.Json("DB/26/951001", null, address: false, "unanswered-activity", email: "unanswered@example.org")]);
        await pipeline.WaitUntilIdleAsync();
        var settlement = pipeline.Services.GetRequiredService<UnknownSettlement>();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        await pipeline.Services.GetRequiredService<Indexes.IndexOutbox>().DrainAsync(CancellationToken.None); // as the status timer does first
        async Task<VictimState> VictimAsync(string crime) => (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State;

        // Over 1 MiB, not SendGrid's shape twice (a list that is not one, a msg_id longer than any SendGrid gives), and 503s: asked again, nothing believed.
        var counts = new List<UnknownCounts>();
        for (var run = 0; run < 4; run++)
        {
            time.Now += UnknownRule.ActivityIndexingDelay;
            counts.Add(await settlement.SettleAsync(CancellationToken.None));
        }

        Assert.Equal([(2, 0), (2, 0), (2, 0), (2, 1)], counts.Select(c => (c.AskedSendGrid, c.Settled)));

        // A status SendGrid does not document, found: accepted (sent), never sent again, awaiting its events.
        var email = (await VictimAsync("DB/26/951000")).Contact.Email;
        Assert.Equal((MessageStatus.Sent, 0), (email.Status, email.Resends));

        // No usable answer 24 hours after the send: settled as without the API: silence, with SendGrid's events not enabled, says nothing.
        Assert.Equal(MessageStatus.Unconfirmed, (await VictimAsync("DB/26/951001")).Contact.Email.Status);
        time.Now += TimeSpan.FromHours(24);
        Assert.Equal((1, 1), ((await settlement.SettleAsync(CancellationToken.None)) is var last ? (last.AskedSendGrid, last.Unsettled) : default));
        var unsettled = await VictimAsync("DB/26/951001");
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled, 0), (unsettled.Contact.Email.Status, unsettled.Contact.Email.Reason, unsettled.Contact.Email.Resends));
        Assert.Contains(unsettled.Tasks.Tasks, t => t is { Kind: Referrals.Tasks.TaskKind.ContactNeeded, IsOpen: true });

        Assert.Contains(pipeline.Logs.Lines, l => l.Contains("at SendGrid's Email Activity API", StringComparison.Ordinal));
        Assert.DoesNotContain(pipeline.Logs.Lines, l => l.Contains("X-Injected", StringComparison.Ordinal) || l.Contains("aaaaaaaa", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_stand_in_answers_the_Email_Activity_API_as_SendGrid_does()
    {
        await using var standIn = await SendGridStandIn.StartAsync();
        var options = Options.Create(new SendGridOptions { ApiKey = "stand-in-key", Host = standIn.Url, FromAddress = "vcu@example.org" });
        using var http = new HttpClient();
        var lookup = new SendGridActivityLookup(http, options);
        var tokens = LocalSettings.Tokens;
        var token = tokens.Seal(new MessageSend("DB/26/952000", "V1", Channel.Email, 1));
        await new Referrals.Pipeline.SendGrid.SendGridGateway(new HttpClient(), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Referrals.Pipeline.SendGrid.SendGridGateway>.Instance, tokens)
            .SendAsync(new Referrals.Pipeline.SendGrid.OutgoingEmail("bounce-x@example.org", "Subject", "Body", null, "entitlement-email", "DB/26/952000", "V1", Token: token), CancellationToken.None);

        // Found by its token (not_delivered: it bounced), dated by SendGrid; another token is not found.
        var found = Assert.IsType<ActivityLookup.Answered>(await lookup.FindByTokenAsync(token, CancellationToken.None));
        Assert.Equal(ReceiptStatus.FailedForGood, Assert.IsType<SendGridRecord.Found>(found.Record).Status);
        Assert.NotNull(((SendGridRecord.Found)found.Record).At);
        var other = Assert.IsType<ActivityLookup.Answered>(await lookup.FindByTokenAsync(tokens.Seal(new MessageSend("DB/26/952000", "V1", Channel.Email, 2)), CancellationToken.None));
        Assert.IsType<SendGridRecord.NotFound>(other.Record);

        // Without a key: 401; a query it cannot read: 400 with SendGrid's errors body; beyond 6 a minute: 429 with its headers.
        async Task<HttpResponseMessage> GetAsync(string query, string? key = "stand-in-key")
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{standIn.Url}/v3/messages?{query}");
            if (key is not null)
            {
                request.Headers.Authorization = new("Bearer", key);
            }

            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("query=msg_id%3D%22x%22", key: null)).StatusCode);
        var refused = await GetAsync("query=subject%3D%22x%22", key: "other-key");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.StartsWith("invalid syntax", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("limit=0&query=msg_id%3D%22x%22", key: "other-key")).StatusCode);
        // Keyed by the API key: at most 7 more of this key's requests reach a 429, even if the minute turned since the look-ups.
        var limited = await GetAsync("query=msg_id%3D%22x%22");
        for (var i = 0; i < 6 && limited.StatusCode == HttpStatusCode.OK; i++)
        {
            limited = await GetAsync("query=msg_id%3D%22x%22");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(("6", "0"), (limited.Headers.GetValues("X-RateLimit-Limit").Single(), limited.Headers.GetValues("X-RateLimit-Remaining").Single()));
        Assert.True(long.Parse(limited.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1);
        Assert.Equal(new ActivityLookup.Failed("SendGrid's Email Activity API answered 429 TooManyRequests", RateLimited: true), await lookup.FindByTokenAsync(token, CancellationToken.None));
    }

    private static async Task RedeliverEveryWorkItemAsync(PipelineTestHost pipeline, int times)
    {
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            for (var i = 0; i < times; i++)
            {
                await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, Channel.Email), CancellationToken.None);
            }
        }

        await pipeline.WaitUntilIdleAsync();
    }
}
