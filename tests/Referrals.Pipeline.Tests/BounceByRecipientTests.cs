using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 22 on Azurite, through the real SendGrid webhook endpoint (signed): an asynchronous bounce that names no message
/// (no custom arg, no token in <c>smtp-id</c>, no category) is matched by the keyed hash of its recipient when exactly one
/// delivered email to that address awaits receipts; two victims' emails to one parent's address leave both unchanged and
/// raise the alert's metric; the index rows go with an erasure and with the retention purge, in the layout by day of
/// delivery (issue 29) and in the one before it.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class BounceByRecipientTests(AzuriteFixture azurite)
{
    private const string Single = "DB/26/000401";
    private const string SiblingOne = "DB/26/000402";
    private const string SiblingTwo = "DB/26/000403";
    private const string Kept = "DB/26/000404";
    private const string Parent = "shared.parent@example.org";

    private static readonly string[] EntitlementCategory = ["entitlement-email"];

    [Fact]
    public async Task A_bounce_naming_no_message_fails_the_one_email_to_its_address_and_an_ambiguous_one_changes_nothing_and_alerts()
    {
        var time = new SettableTime(DateTimeOffset.UtcNow); // the real clock while Notify's stand-in checks our tokens' times
        await using var pipeline = new PipelineTestHost(azurite, time: time);
        await pipeline.StartAsync();
        await pipeline.SendAsync(
        [
            ContactSnapshots.Json(Single, "07700 900401", false, "e0000000-0000-4000-8000-000000000401", email: "single.victim@example.org"),
            ContactSnapshots.Json(SiblingOne, null, false, "e0000000-0000-4000-8000-000000000402", email: Parent),
            ContactSnapshots.Json(SiblingTwo, null, false, "e0000000-0000-4000-8000-000000000403", email: Parent),
            ContactSnapshots.Json(Kept, null, false, "e0000000-0000-4000-8000-000000000404", email: "kept.victim@example.org"),
        ]);
        await pipeline.WaitUntilIdleAsync();
        var (listener, unmatched) = Listen(pipeline);
        using var _ = listener;

        // SendGrid reports each email delivered (its token in the custom arg): each is indexed by its recipient's keyed hash.
        var mails = pipeline.AcceptedMail("entitlement-email").Select(m => m.GetProperty("personalizations")[0])
            .Select(p => (Ref: p.GetProperty("custom_args").GetProperty("ref").GetString()!, To: p.GetProperty("to")[0].GetProperty("email").GetString()!)).ToList();
        Assert.Equal(4, mails.Count);
        time.Now = DateTimeOffset.UtcNow;
        Assert.Equal(4, Counts(await PostAsync(pipeline, [.. mails.Select((m, i) => Delivered(m.Ref, m.To, $"d{i}", time.Now))])).GetProperty("applied").GetInt32());
        var index = Index(pipeline);
        var keys = pipeline.Services.GetRequiredService<RecipientKeys>();
        Assert.Equal(8, (await RowsAsync(index)).Count);
        Assert.Equal([SiblingOne, SiblingTwo], (await RowsAsync(index, keys.Of(Parent))).Select(r => r.GetString("CrimeReference")).Order(StringComparer.Ordinal));
        Assert.Equal([RecipientIndex.DayOf(time.Now)], (await RowsAsync(index, keys.Of(Parent))).Select(r => r.PartitionKey).Distinct());
        Assert.DoesNotContain(await RowsAsync(index), r => r.Keys.Any(k => r[k] is string s && s.Contains('@', StringComparison.Ordinal)));

        // A crash after the victim's write and before the batch's end loses the address row; SendGrid sends the batch
        // again (not answered 2xx): the delivered already applied writes it again.
        var kept = mails.Select((m, i) => (m, i)).Single(x => x.m.To == "kept.victim@example.org");
        var lost = Assert.Single(await RowsAsync(index, keys.Of("kept.victim@example.org")));
        await index.DeleteEntityAsync(lost.PartitionKey, lost.RowKey);
        Assert.Equal(0, Counts(await PostAsync(pipeline, [Delivered(kept.m.Ref, kept.m.To, $"d{kept.i}", time.Now)])).GetProperty("applied").GetInt32());
        Assert.Equal(lost.RowKey, Assert.Single(await RowsAsync(index, keys.Of("kept.victim@example.org"))).RowKey);

        // A store written before issue 29: the single victim's and one sibling's rows in the old layout (the address row in
        // the key's partition, a pointer without a day). Both layouts are read, bounced, erased and purged alike.
        await ToOldLayoutAsync(index, Single);
        await ToOldLayoutAsync(index, SiblingOne);
        Assert.Equal(8, (await RowsAsync(index)).Count);

        // Asynchronous bounces that lost the custom args and the categories, with SendGrid's own smtp-id: one to the single
        // victim's address, one to the parent's (two victims' emails), one to an address we never emailed.
        var before = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);
        time.Now = DateTimeOffset.UtcNow.AddSeconds(1);
        var bounced = time.Now;
        var counts = Counts(await PostAsync(pipeline, [Bounce("SINGLE.victim@example.org", "b1", bounced), Bounce(Parent, "b2", bounced), Bounce("nobody@example.org", "b3", bounced)]));
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal((3, 1, 2), (counts.GetProperty("received").GetInt32(), counts.GetProperty("applied").GetInt32(), counts.GetProperty("unknown").GetInt32()));
        var after = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);
        var single = after[Single].ToStored().State;
        Assert.Equal(MessageStatus.Failed, single.Contact.Email.Status);
        Assert.Equal(Month.Of(time.Now), single.Counted[TallyCategories.InformedThenFailed(Channel.Email)]);
        Assert.Equal(MessageStatus.Sent, single.Contact.Sms.Status);
        Assert.Single(pipeline.Notify.Accepted, n => n.Type == "sms");
        Assert.Equal((before[SiblingOne].ETag, before[SiblingTwo].ETag, before[Kept].ETag), (after[SiblingOne].ETag, after[SiblingTwo].ETag, after[Kept].ETag));
        Assert.Equal(MessageStatus.Delivered, after[SiblingOne].ToStored().State.Contact.Email.Status);
        Assert.Equal(MessageStatus.Delivered, after[SiblingTwo].ToStored().State.Contact.Email.Status);
        var metrics = pipeline.Services.GetRequiredService<PipelineMetrics>();
        Assert.Equal((1L, 1L, 1L), (metrics.Total("receipt:sendgrid:applied") - 4, metrics.Total("receipt:sendgrid:bounce-ambiguous"), metrics.Total("receipt:sendgrid:bounce-unmatched")));
        Assert.Equal(["ambiguous", "none"], unmatched.Order(StringComparer.Ordinal));
        Assert.Empty(await RowsAsync(index, keys.Of("single.victim@example.org"))); // bounced: it awaits nothing more

        // Erased, one sibling's email leaves the index: the parent's next bounce is the other sibling's alone.
        Assert.Equal(ErasureOutcome.Erased, await pipeline.Services.GetRequiredService<Erasure>().EraseAsync(SiblingOne, "V1", "erasure request ER-401", "dpo@police.example", CancellationToken.None));
        Assert.Equal([SiblingTwo], (await RowsAsync(index, keys.Of(Parent))).Select(r => r.GetString("CrimeReference")));
        Assert.Equal(1, Counts(await PostAsync(pipeline, [Bounce(Parent, "b4", bounced.AddSeconds(1))])).GetProperty("applied").GetInt32());
        Assert.Equal(MessageStatus.Failed, (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == SiblingTwo).ToStored().State.Contact.Email.Status);

        // The retention purge takes the rest with the victims' data.
        Assert.Equal(2, (await RowsAsync(index)).Count);
        time.Now = bounced.AddDays(400);
        Assert.True((await pipeline.Services.GetRequiredService<RetentionPurge>().RunAsync(dryRun: false, CancellationToken.None)).Crimes >= 4);
        Assert.Empty(await RowsAsync(index));

        // The index's cost in storage requests (docs/receipts.md): 2 at delivered (one receipt alone), 1 per day of the
        // window and 1 of the old layout per look-up, 1 + 2 when it bounces or is erased; in a batch, 1 per delivered
        // and 1 per day's 100 at its end, and a bounce in the same batch takes the row it holds.
        time.Now = bounced; // the emails counted next are delivered now, within the window
        var counter = new RequestCounter();
        var counted = new RecipientIndex(
            new StorageClients(pipeline.Services.GetRequiredService<IConfiguration>(), [counter], new StorageRetry(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30))),
            pipeline.Services.GetRequiredService<IOptions<PipelineOptions>>(), time);
        var key = keys.Of(Parent);
        var days = ((bounced + RecipientMatch.Skew).UtcDateTime.Date - (bounced - RecipientMatch.Window).UtcDateTime.Date).Days + 1;
        var batch = new ReceiptBatch();
        List<int> requests =
        [
            await counter.CountAsync(() => counted.DeliveredAsync(key, Kept, "V1", bounced, CancellationToken.None)),
            await counter.CountAsync(() => counted.AwaitingAsync(key, bounced, CancellationToken.None)),
            await counter.CountAsync(() => counted.BouncedAsync(key, Kept, "V1", CancellationToken.None)),
            await counter.CountAsync(() => counted.DeliveredAsync(key, Kept, "V1", bounced, CancellationToken.None)),
            await counter.CountAsync(() => counted.ErasedAsync(Kept, "V1", CancellationToken.None)),
            await counter.CountAsync(async () =>
            {
                foreach (var i in Enumerable.Range(0, 150))
                {
                    await counted.DeliveredAsync(keys.Of($"victim.{i}@example.org"), $"DB/26/9{i:D5}", "V1", bounced, CancellationToken.None, batch);
                }

                await counted.BouncedAsync(keys.Of("victim.7@example.org"), "DB/26/900007", "V1", CancellationToken.None, batch);
                await counted.WriteAsync(batch, CancellationToken.None);
            }),
        ];
        Assert.Equal([2, days + 1, 3, 2, 3, 150 + 3 + 2], requests);
        Assert.Equal(149 * 2, (await RowsAsync(index)).Count);
        Assert.Empty(await RowsAsync(index, keys.Of("victim.7@example.org")));
        Assert.Single(await RowsAsync(index, keys.Of("victim.8@example.org")));
    }

    [Fact]
    public async Task A_bounce_naming_no_message_finds_the_delivery_of_its_own_batch_as_it_does_one_of_an_earlier_batch()
    {
        var time = new SettableTime(DateTimeOffset.UtcNow);
        await using var pipeline = new PipelineTestHost(azurite, time: time);
        await pipeline.StartAsync();
        (string Crime, string To)[] victims = [("DB/26/000405", "one.batch@example.org"), ("DB/26/000406", "two.batches@example.org")];
        await pipeline.SendAsync(victims.Select((v, i) => ContactSnapshots.Json(v.Crime, $"07700 90040{5 + i}", false, $"e0000000-0000-4000-8000-00000000040{5 + i}", email: v.To)));
        await pipeline.WaitUntilIdleAsync();
        var refs = pipeline.AcceptedMail("entitlement-email").Select(m => m.GetProperty("personalizations")[0])
            .ToDictionary(p => p.GetProperty("to")[0].GetProperty("email").GetString()!, p => p.GetProperty("custom_args").GetProperty("ref").GetString()!, StringComparer.Ordinal);
        Assert.DoesNotContain(pipeline.Notify.Accepted, n => n.Type == "sms"); // the email first
        time.Now = DateTimeOffset.UtcNow;
        var (delivered, bounced) = (time.Now, time.Now.AddSeconds(1));

        // One batch: the bounce (listed first) and the delivery it is about. Two batches: the delivery, then the bounce.
        var one = victims[0].To;
        Assert.Equal(2, Counts(await PostAsync(pipeline, [Bounce(one, "b5", bounced), Delivered(refs[one], one, "d5", delivered)])).GetProperty("applied").GetInt32());
        var two = victims[1].To;
        Assert.Equal(1, Counts(await PostAsync(pipeline, [Delivered(refs[two], two, "d6", delivered)])).GetProperty("applied").GetInt32());
        Assert.Equal(1, Counts(await PostAsync(pipeline, [Bounce(two, "b6", bounced)])).GetProperty("applied").GetInt32());
        await pipeline.WaitUntilIdleAsync();

        // Both emails failed for good, counted as informed then failed; the plan moved on to a text message; nothing left in the index.
        var states = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, v => v.ToStored().State, StringComparer.Ordinal);
        var keys = pipeline.Services.GetRequiredService<RecipientKeys>();
        foreach (var (crime, to) in victims)
        {
            var state = states[crime];
            Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed, MessageStatus.Sent), (state.Contact.Email.Status, state.Contact.Email.Reason, state.Contact.Sms.Status));
            Assert.Equal(Month.Of(bounced), state.Counted[TallyCategories.InformedThenFailed(Channel.Email)]);
            Assert.Empty(await RowsAsync(Index(pipeline), keys.Of(to)));
        }

        Assert.Equal(2, pipeline.Notify.Accepted.Count(n => n.Type == "sms"));
        Assert.Equal(states[victims[1].Crime].Counted.Keys.Order(StringComparer.Ordinal), states[victims[0].Crime].Counted.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_retention_run_removes_a_days_address_rows_and_pointers_once_past_matching_keeps_the_rest_matching_and_a_second_run_does_nothing()
    {
        var run = new DateTimeOffset(2027, 1, 20, 2, 30, 0, TimeSpan.Zero); // RETENTION_SCHEDULE's 02:30 UTC
        var time = new SettableTime(run);
        await using var pipeline = new PipelineTestHost(azurite, time: time);
        await pipeline.StartAsync();
        var (recipients, keys, index) = (pipeline.Services.GetRequiredService<RecipientIndex>(), pipeline.Services.GetRequiredService<RecipientKeys>(), Index(pipeline));

        // Emails delivered on 2027-01-08 (two) and late on 2027-01-11, both past matching at the run (7 days, 5 minutes and
        // a day's margin after their day ended); on 2027-01-12 and on 2027-01-19, both within it. Each
        // written as its delivered receipt writes it, on the clock of its delivery.
        (string Address, string Crime, DateTimeOffset At)[] emails =
        [
            ("past.one@example.org", "DB/27/000501", new(2027, 1, 8, 10, 0, 0, TimeSpan.Zero)),
            ("past.two@example.org", "DB/27/000502", new(2027, 1, 8, 11, 0, 0, TimeSpan.Zero)),
            ("past.three@example.org", "DB/27/000503", new(2027, 1, 11, 23, 59, 59, TimeSpan.Zero)),
            ("kept.one@example.org", "DB/27/000504", new(2027, 1, 12, 20, 0, 0, TimeSpan.Zero)),
            ("kept.two@example.org", "DB/27/000505", new(2027, 1, 19, 12, 0, 0, TimeSpan.Zero)),
        ];
        foreach (var (address, crime, at) in emails)
        {
            time.Now = at;
            await recipients.DeliveredAsync(keys.Of(address), crime, "V1", at, CancellationToken.None);
        }

        // A row of the layout before the day partitions stays the crime purge's; a delivered receipt reported long after
        // its day is past matching writes nothing.
        time.Now = run;
        var (old, oldCrime) = (keys.Of("old.layout@example.org"), VictimStateStore.PartitionKeyFor("DB/27/000506"));
        await index.AddEntityAsync(new TableEntity(old, $"{oldCrime}|V1") { ["CrimeReference"] = "DB/27/000506", ["VictimId"] = "V1", ["DeliveredAt"] = emails[0].At });
        await index.AddEntityAsync(new TableEntity($"crime|{oldCrime}", $"V1|{old}") { ["RecipientKey"] = old });
        await recipients.DeliveredAsync(keys.Of("late.receipt@example.org"), "DB/27/000507", "V1", emails[0].At, CancellationToken.None);
        Assert.Equal(12, (await RowsAsync(index)).Count);

        // A run cut short by its bound on 2027-01-08 leaves the day's other row to the next read of the day.
        Assert.Equal((1, false), await recipients.ExpireDayAsync(new DateOnly(2027, 1, 8), 1, dryRun: false, CancellationToken.None));
        var purge = pipeline.Services.GetRequiredService<RetentionPurge>();
        var dry = await purge.RunAsync(dryRun: true, CancellationToken.None);
        Assert.Equal(10, (await RowsAsync(index)).Count);
        var first = await purge.RunAsync(dryRun: false, CancellationToken.None);
        var rows = await RowsAsync(index);
        var second = await purge.RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal((2, 2, 0), (dry.RecipientRows, first.RecipientRows, second.RecipientRows));
        Assert.Equal(
            new[] { $"crime|{VictimStateStore.PartitionKeyFor("DB/27/000504")}", $"crime|{VictimStateStore.PartitionKeyFor("DB/27/000505")}", $"crime|{oldCrime}", "day|2027-01-12", "day|2027-01-19", old }.Order(StringComparer.Ordinal),
            rows.Select(r => r.PartitionKey).Order(StringComparer.Ordinal));
        Assert.Equal(rows.Select(r => (r.PartitionKey, r.RowKey)), (await RowsAsync(index)).Select(r => (r.PartitionKey, r.RowKey)));
        var (through, _) = await pipeline.Services.GetRequiredService<Indexes.MonthIndex>().ReadCursorAsync(RetentionPurge.RecipientDaysCursor, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2027, 1, 11, 0, 0, 0, TimeSpan.Zero), through);

        // A bounce naming no message still matches its one email within the window, as at the run or as SendGrid's webhook
        // retried for a day reports it; past it, none is left to match.
        var dayLate = run - RecipientDays.Margin;
        foreach (var (address, crime, bounced, outcome) in new[] { ("kept.one@example.org", "DB/27/000504", dayLate, RecipientMatchOutcome.Matched), ("kept.two@example.org", "DB/27/000505", run, RecipientMatchOutcome.Matched), ("past.three@example.org", (string?)null, dayLate, RecipientMatchOutcome.None) })
        {
            var match = RecipientMatch.Of(await recipients.AwaitingAsync(keys.Of(address), bounced, CancellationToken.None), bounced);
            Assert.Equal((outcome, crime), (match.Outcome, match.Email?.CrimeReference));
        }
    }

    /// <summary>The crime's rows as the recipient index wrote them before issue 29: the address row in the key's partition, the pointer without a day.</summary>
    private static async Task ToOldLayoutAsync(TableClient index, string crimeReference)
    {
        var crime = VictimStateStore.PartitionKeyFor(crimeReference);
        var pointer = Assert.Single(await index.QueryAsync<TableEntity>($"PartitionKey eq 'crime|{crime}'").ToListAsync());
        var key = pointer.GetString("RecipientKey");
        var address = Assert.Single(await RowsAsync(index, key), r => r.GetString("CrimeReference") == crimeReference);
        await index.DeleteEntityAsync(address.PartitionKey, address.RowKey);
        await index.DeleteEntityAsync(pointer.PartitionKey, pointer.RowKey);
        var victim = pointer.GetString("Victim");
        await index.AddEntityAsync(new TableEntity(pointer.PartitionKey, $"{victim}|{key}") { ["RecipientKey"] = key });
        await index.AddEntityAsync(new TableEntity(key, $"{crime}|{victim}") { ["CrimeReference"] = crimeReference, ["VictimId"] = address.GetString("VictimId"), ["DeliveredAt"] = address.GetDateTimeOffset("DeliveredAt") });
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);

        public async Task<int> CountAsync(Func<Task> work)
        {
            var before = Volatile.Read(ref _count);
            await work();
            return Volatile.Read(ref _count) - before;
        }
    }

    private static (MeterListener Listener, ConcurrentBag<string> Seen) Listen(PipelineTestHost pipeline)
    {
        var meters = pipeline.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentBag<string>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == PipelineMetrics.UnmatchedBounces && instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => seen.Add(tags.ToArray().Single(t => t.Key == "match").Value?.ToString() ?? string.Empty));
        listener.Start();
        return (listener, seen);
    }

    private static string Delivered(string token, string to, string id, DateTimeOffset at) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["email"] = to, ["timestamp"] = at.ToUnixTimeSeconds(), ["event"] = "delivered", ["sg_event_id"] = id, ["sg_message_id"] = $"m-{id}", ["category"] = EntitlementCategory, ["ref"] = token });

    private static string Bounce(string to, string id, DateTimeOffset at) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["email"] = to, ["timestamp"] = at.ToUnixTimeSeconds(), ["event"] = "bounce", ["sg_event_id"] = id, ["type"] = "bounce", ["smtp-id"] = $"<{id}@ismtpd-0001.sendgrid.net>" });

    private static async Task<EndpointResponse> PostAsync(PipelineTestHost pipeline, string[] events)
    {
        var response = await TestWebhooks.PostSendGridAsync(pipeline.Services, Encoding.UTF8.GetBytes($"[{string.Join(',', events)}]"));
        Assert.Equal(200, response.Status);
        return response;
    }

    private static JsonElement Counts(EndpointResponse response) => JsonDocument.Parse(response.Body).RootElement;

    private static TableClient Index(PipelineTestHost pipeline) =>
        pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.RecipientIndexTable);

    /// <summary>The index's rows (the test reads it whole), or the address rows of one key in either layout.</summary>
    private static async Task<List<TableEntity>> RowsAsync(TableClient index, string? key = null) =>
        await index.QueryAsync<TableEntity>().Where(r => key is null || r.PartitionKey == key || (r.PartitionKey.StartsWith("day|", StringComparison.Ordinal) && r.RowKey.StartsWith(key + "|", StringComparison.Ordinal))).ToListAsync();
}
