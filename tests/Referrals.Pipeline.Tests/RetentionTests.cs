using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>The retention function on Azurite, with a clock the test moves: what goes, what stays, and that it is safe to repeat, to run twice at once and to cut short.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class RetentionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 10, 5, 9, 30, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);

    private const string Old = "DB/26/000110";
    private const string Recent = "DB/26/000105";

    /// <summary>Crime 110 (three victims) on day 0, crime 105 on day 200; the clock then stands 400 days after day 0.</summary>
    private static async Task<(PipelineTestHost Pipeline, SettableTime Time)> StartAsync(AzuriteFixture azurite)
    {
        var time = new SettableTime(Start);
        var pipeline = new PipelineTestHost(azurite, time: time);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9]]);
        await pipeline.WaitUntilIdleAsync();
        time.Now = Start.AddDays(200);
        await pipeline.SendAsync([Samples.Lines[4]]);
        await pipeline.WaitUntilIdleAsync();
        // The steps' index outbox applied on day 200, as that day's status timer or recount would: a test that then sets
        // the clock back to day 10 counts crime 105 (its events are October's) from the index.
        await pipeline.Services.GetRequiredService<Indexes.IndexOutbox>().DrainAsync(CancellationToken.None);
        time.Now = Start.AddDays(400);
        return (pipeline, time);
    }

    [Fact]
    public async Task Personal_data_past_its_period_is_purged_newer_is_not_and_tallies_and_the_audit_trail_are_unchanged()
    {
        var (pipeline, time) = await StartAsync(azurite);
        await using var _ = pipeline;
        var before = await pipeline.TalliesAsync(October);
        var trail = await History(pipeline, Old, "V1");

        var counts = await Purge(pipeline).RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal((1, 3), (counts.Crimes, counts.Victims));
        var old = await Crime(pipeline, Old);
        Assert.Empty(old.Snapshot);
        Assert.Equal(time.Now, old.PurgedAt);
        Assert.NotEmpty((await Crime(pipeline, Recent)).Snapshot);
        Assert.Null(old.PurgedAt is null ? null : (await pipeline.Services.GetRequiredService<VictimStateStore>().LoadCrimeAsync(Old, CancellationToken.None)));
        Assert.Equal(3, (await pipeline.VictimsAsync()).Count(v => v.CrimeReference == Old));

        // The counted events are unchanged; the task figures are the tasks as they stand, and the purge withdrew those left open.
        var after = await pipeline.TalliesAsync(October);
        var purged = (await pipeline.VictimsAsync()).Where(v => v.CrimeReference == Old).SelectMany(v => v.ToStored().State.Tasks.Tasks)
            .Count(t => t.WithdrawnBecause == Referrals.Tasks.TaskWithdrawal.Purged);
        Assert.True(purged > 0);
        Assert.All(before.Categories.Where(c => !c.Key.EndsWith(".Withdrawn", StringComparison.Ordinal)), c => Assert.Equal((c.Key, before[October, c.Key]), (c.Key, after[October, c.Key])));
        Assert.Equal(purged, Enum.GetValues<Referrals.Tasks.TaskKind>().Sum(k => after[October, Referrals.Tasks.TaskFigures.Withdrawn(k)] - before[October, Referrals.Tasks.TaskFigures.Withdrawn(k)]));
        var trailAfter = await History(pipeline, Old, "V1");
        Assert.Equal(trail, trailAfter.Take(trail.Count));
        Assert.Single(trailAfter.Skip(trail.Count), e => e.StartsWith("Purge", StringComparison.Ordinal));
        Assert.Equal(3, (await pipeline.TalliesAsync(Month.Of(time.Now)))[Month.Of(time.Now), TallyCategories.PersonalDataPurged]);
    }

    [Fact]
    public async Task A_second_run_and_two_runs_at_once_purge_each_crime_once_and_count_each_victim_once()
    {
        var (pipeline, time) = await StartAsync(azurite);
        await using var _ = pipeline;

        var together = await Task.WhenAll(Purge(pipeline).RunAsync(false, CancellationToken.None), Purge(pipeline).RunAsync(false, CancellationToken.None));
        var again = await Purge(pipeline).RunAsync(false, CancellationToken.None);

        Assert.Equal(1, together.Sum(c => c.Crimes));
        Assert.Equal(0, again.Crimes);
        Assert.Equal(3, (await pipeline.TalliesAsync(Month.Of(time.Now)))[Month.Of(time.Now), TallyCategories.PersonalDataPurged]);
        Assert.Single(await History(pipeline, Old, "V2"), e => e.StartsWith("Purge", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_mid_purge_loses_nothing_and_the_next_run_finishes_it(bool afterStorageCommitted)
    {
        var (pipeline, time) = await StartAsync(azurite);
        await using var _ = pipeline;
        var crash = new CrashOnBatch(afterStorageCommitted);

        await Assert.ThrowsAnyAsync<IOException>(() => Purge(pipeline, crash).RunAsync(false, CancellationToken.None));
        var crashed = await Crime(pipeline, Old);
        var resumed = await Purge(pipeline).RunAsync(false, CancellationToken.None);

        // Either the whole crime was purged (the transaction reached storage) or none of it: never a part.
        Assert.Equal(afterStorageCommitted, crashed.Snapshot.Length == 0);
        Assert.Equal(afterStorageCommitted, crashed.PurgedAt is not null);
        Assert.Equal(afterStorageCommitted ? 0 : 1, resumed.Crimes);
        Assert.Empty((await Crime(pipeline, Old)).Snapshot);
        Assert.Equal(3, (await pipeline.TalliesAsync(Month.Of(time.Now)))[Month.Of(time.Now), TallyCategories.PersonalDataPurged]);
    }

    [Fact]
    public async Task A_newer_snapshot_of_a_purged_crime_is_stored_again_and_never_emails_the_victim_a_second_time()
    {
        var (pipeline, time) = await StartAsync(azurite);
        await using var _ = pipeline;
        await Purge(pipeline).RunAsync(false, CancellationToken.None);
        var emails = pipeline.EmailsAccepted().Count(e => e.Crime == Old);

        var next = JsonNode.Parse(Samples.Lines[9])!;
        next["crime"]!["version"] = 2;
        next["sentAt"] = time.Now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await pipeline.SendAsync([next.ToJsonString()]);
        await pipeline.WaitUntilIdleAsync();

        var crime = await Crime(pipeline, Old);
        Assert.Equal((2L, (DateTimeOffset?)null), (crime.Version, crime.PurgedAt));
        Assert.NotEmpty(crime.Snapshot);
        Assert.Equal(1, emails);
        Assert.Equal(emails, pipeline.EmailsAccepted().Count(e => e.Crime == Old));
    }

    [Fact]
    public async Task Dead_letters_go_after_their_period_and_audit_rows_and_state_after_theirs_leaving_the_tallies()
    {
        var (pipeline, time) = await StartAsync(azurite);
        await using var _ = pipeline;
        time.Now = Start.AddDays(10);
        await pipeline.SendAsync([Samples.Lines[12]]);
        await pipeline.WaitUntilIdleAsync();
        var before = await pipeline.TalliesAsync(October);

        time.Now = Start.AddDays(99);
        var early = await Purge(pipeline).RunAsync(true, CancellationToken.None);
        time.Now = Start.AddDays(101);
        var due = await Purge(pipeline).RunAsync(false, CancellationToken.None);
        time.Now = Start.AddDays(2557 + 2);
        var publicIds = (await pipeline.DeliveryRowsAsync()).Where(d => d.CrimeReference == Old).Select(d => d.PublicId).OfType<string>().ToList();
        var dry = await Purge(pipeline).RunAsync(true, CancellationToken.None);
        var late = await Purge(pipeline).RunAsync(false, CancellationToken.None);

        Assert.Equal(0, early.DeadLetters);
        Assert.Equal(1, due.DeadLetters);
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Rejected));
        Assert.Equal((1, 1), (dry.CrimesForgotten, late.CrimesForgotten));
        Assert.True(late.AuditRows > 0);
        Assert.Equal(late.AuditRows, dry.AuditRows);
        Assert.Empty(await History(pipeline, Old, "V1"));
        Assert.DoesNotContain(await pipeline.VictimsAsync(), v => v.CrimeReference == Old);
        Assert.NotEmpty(publicIds);
        foreach (var id in publicIds)
        {
            Assert.Null(await pipeline.Services.GetRequiredService<Outcomes.ReferralIdStore>().FindAsync(id, CancellationToken.None));
        }

        Assert.NotEmpty(await History(pipeline, Recent, "V1"));
        var after = await pipeline.TalliesAsync(October);
        Assert.All(before.Categories, c => Assert.Equal((c.Key, before[October, c.Key]), (c.Key, after[October, c.Key])));
    }

    [Fact]
    public async Task Partners_answers_are_cut_from_failed_emails_and_deliveries_with_the_snapshot()
    {
        var time = new SettableTime(Start);
        await using var pipeline = new PipelineTestHost(azurite, sendGrid: _ => (400, null), services: (_, _) => 400, time: time);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        // The email's failure also raises a contact-needed task for the Victim Care Unit (rulebook 1.1), which fails too.
        var failed = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == Referrals.Forwarding.DeliveryKind.Referral);
        Assert.Contains("test error", Assert.Single(await pipeline.VictimsAsync()).EmailReason, StringComparison.Ordinal);
        // GOV.UK Notify's refusal of a text message, as NotifyGateway records it, quoting what was sent.
        var row = Assert.Single(await pipeline.VictimsAsync());
        row.SmsStatus = Referrals.State.MessageStatus.Failed;
        row.Sms = """{"Reason":"Notify refused the message: 400 ValidationError: phone_number 07700 900999 test error","Recipient":null,"QueuedAt":null,"AttemptedAt":null,"SentAt":null,"DeliveredAt":null,"NotificationId":null,"Month":null,"Attempts":1}""";
        await pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable).UpdateEntityAsync(row, row.ETag);
        time.Now = Start.AddDays(400);

        var counts = await Purge(pipeline).RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal((1, 3), (counts.Crimes, counts.PartnerAnswers));
        Assert.Equal(AuditRule.WithoutAnswer(failed.Reason!), Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == Referrals.Forwarding.DeliveryKind.Referral).Reason);
        Assert.All(await pipeline.DeliveryRowsAsync(), d => Assert.DoesNotContain("test error", d.Reason ?? string.Empty, StringComparison.Ordinal));
        var victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.EndsWith("(the answer is not kept)", victim.EmailReason, StringComparison.Ordinal);
        Assert.DoesNotContain("test error", victim.EmailReason, StringComparison.Ordinal);
        Assert.Equal(Referrals.State.MessageStatus.Failed, victim.EmailStatus);
        var sms = System.Text.Json.Nodes.JsonNode.Parse(victim.Sms)!;
        Assert.Equal(("Notify refused the message: 400 ValidationError: (the answer is not kept)", 1), ((string?)sms["Reason"], (int?)sms["Attempts"]));
    }

    private static RetentionPurge Purge(PipelineTestHost pipeline, HttpPipelinePolicy? fault = null)
    {
        var clients = fault is null
            ? pipeline.Services.GetRequiredService<StorageClients>()
            : new StorageClients(pipeline.Services.GetRequiredService<IConfiguration>(), [fault], new StorageRetry(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        var options = pipeline.Services.GetRequiredService<IOptions<PipelineOptions>>();
        return new(clients, options, pipeline.Services.GetRequiredService<IOptions<RetentionOptions>>(), pipeline.Services.GetRequiredService<Referrals.Pipeline.Tasks.TaskRetention>(),
            new Outcomes.ReferralIdStore(clients, options, new Indexes.MonthIndex(clients, options)), pipeline.Services.GetRequiredService<TimeProvider>(), new Indexes.MonthIndex(clients, options), NullLogger<RetentionPurge>.Instance,
            new Receipts.RecipientIndex(clients, options, pipeline.Services.GetRequiredService<TimeProvider>()));
    }

    private static async Task<CrimeStateEntity> Crime(PipelineTestHost pipeline, string reference)
    {
        var table = pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable);
        var partition = VictimStateStore.PartitionKeyFor(reference);
        return (await table.GetEntityAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition))).Value;
    }

    private static async Task<List<string>> History(PipelineTestHost pipeline, string crime, string victim) =>
        [.. (await pipeline.Services.GetRequiredService<VictimHistory>().HistoryAsync(crime, victim, CancellationToken.None)).Select(Describe)];

    private static string Describe(AuditEntry entry) => $"{entry.Action} {entry.At:O} {string.Join("; ", entry.Facts)} {string.Join("; ", entry.Reasons)}";

    /// <summary>The process dies at the first table transaction: before it reaches storage, or after storage committed it.</summary>
    private sealed class CrashOnBatch(bool afterCommit) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                await ProcessNextAsync(message, pipeline);
                return;
            }

            if (afterCommit)
            {
                await ProcessNextAsync(message, pipeline);
            }

            throw new IOException("the purge's process stopped here");
        }
    }
}
