using System.CommandLine;
using System.Text.Json;
using Referrals.Cli;
using Referrals.Forwarding;
using Referrals.Pipeline.DeadLetters;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>Referrals, withdrawals and Victim Care Unit tasks reaching the services, through the local host on Azurite; the services faked over HTTP.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class ReferralForwardingTests(AzuriteFixture azurite)
{
    private const string Vcu = "victim.care.tasks@police.cjsm.example";
    private const string Isva = "isva.referrals@sexual-violence-support.cjsm.example";
    private static readonly Month October = new(2026, 10);

    /// <summary>What the samples must deliver, in order: (service API path or mailbox, kind, delivery id).</summary>
    private static readonly (string Service, string Kind, string Id)[] SampleDeliveries =
    [
        ("general", "Referral", "ref:DB/26/000101:V1:general"),
        ("general", "Referral", "ref:DB/26/000102:V1:general"),
        ("idva", "Referral", "ref:DB/26/000102:V1:idva"),
        ("general", "Referral", "ref:DB/26/000103:V1:general"),
        (Isva, "Referral", "ref:DB/26/000103:V1:isva"),
        ("general", "Referral", "ref:DB/26/000105:V1:general"),
        ("general", "Referral", "ref:DB/26/000106:V1:general"),
        ("general", "Referral", "ref:DB/26/000109:V1:general"),
        ("general", "Referral", "ref:DB/26/000110:V1:general"),
        ("general", "Referral", "ref:DB/26/000110:V3:general"),
        ("general", "Withdrawal", "wd:DB/26/000101:V1:general"),
        // Victim Care Unit tasks by their delivery id's kind and the task's crime and victim (the ids themselves are opaque).
        (Vcu, "SingleSessionOffer", "task:DB/26/000103:V1"),
        (Vcu, "TaskWithdrawn", "task-withdrawn:DB/26/000103:V1"), // crime 103's second version: ConvertedToYes, the offer is moot
        (Vcu, "ConsentRequest", "task:DB/26/000107:V1"),
        (Vcu, "ConsentRequest", "task:DB/26/000108:V1"),

        // Rulebook 1.1: the contact plan's samples, and a ContactNeeded task for every victim no channel can safely reach
        // (crime 103's first version: email not confirmed safe, and no phone or address; it is emailed after its second).
        ("general", "Referral", "ref:DB/26/000111:V1:general"),
        ("general", "Referral", "ref:DB/26/000112:V1:general"),
        ("general", "Referral", "ref:DB/26/000113:V1:general"),
        ("idva", "Referral", "ref:DB/26/000113:V1:idva"),
        ("general", "Referral", "ref:DB/26/000114:V1:general"),
        ("general", "Referral", "ref:DB/26/000115:V1:general"),
        ("general", "Referral", "ref:DB/26/000116:V1:general"),
        ("general", "Referral", "ref:DB/26/000117:V1:general"), // issue 18: a 070 number passed over, a BFPO address written to
        ("general", "Referral", "ref:DB/26/000120:V1:general"), // issue 22: an email delivered, then bounced
        ("general", "Referral", "ref:DB/26/000121:V1:general"), // issue 22: a letter received, then returned
        (Vcu, "ContactNeeded", "task:DB/26/000103:V1"),
        (Vcu, "ContactNeeded", "task:DB/26/000108:V1"),
        (Vcu, "ContactNeeded", "task:DB/26/000110:V2"),
        (Vcu, "ContactNeeded", "task:DB/26/000110:V3"),
        (Vcu, "ContactNeeded", "task:DB/26/000113:V1"),
    ];

    private static async Task SendInWavesAsync(PipelineTestHost pipeline)
    {
        foreach (var wave in LocalHost.SnapshotSender.Waves(Samples.Lines))
        {
            await pipeline.SendAsync(wave.Select(w => w.Line));
            await pipeline.WaitUntilIdleAsync();
        }
    }

    [Fact]
    public async Task The_samples_reach_exactly_the_right_services_and_withdrawals_only_services_already_referred()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        await SendInWavesAsync(pipeline);

        var rows = (await pipeline.DeliveryRowsAsync()).ToDictionary(d => d.Id, StringComparer.Ordinal);
        Assert.Equal(SampleDeliveries.Order(), pipeline.Deliveries()
            .Select(d => rows[d.Id].TaskId is null ? d : (d.Service, d.Kind, $"{d.Id.Split(':')[0]}:{rows[d.Id].CrimeReference}:{rows[d.Id].VictimId}")).Order());
        var general = pipeline.ServiceApis.LogEntries.Select(e => e.RequestMessage).Where(r => r.Path == "/general/referrals").ToList();
        Assert.All(general, r => Assert.Equal("local-service-key", r.Headers!["X-Api-Key"].Single()));
        Assert.All(general, r => Assert.Equal(JsonDocument.Parse(r.Body!).RootElement.GetProperty("id").GetString(), r.Headers!["Idempotency-Key"].Single()));
        var idva = pipeline.ServiceApis.LogEntries.Where(e => e.RequestMessage.Path == "/idva/referrals").Select(e => e.RequestMessage).ToList();
        Assert.Equal(2, idva.Count); // crimes 102 and 113
        Assert.All(idva, r => Assert.Equal("Bearer local-entra-token", r.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task A_referral_carries_what_the_service_needs_and_nothing_more()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[1]]);
        await pipeline.WaitUntilIdleAsync();

        var referral = JsonDocument.Parse(pipeline.ServiceApis.LogEntries.First(e => e.RequestMessage.Path == "/idva/referrals").RequestMessage.Body!).RootElement;

        Assert.Equal(
            ["consent", "crimeReference", "dueBy", "enhancedRights", "id", "kind", "offence", "pathway", "publicId", "recordedDate", "service", "victim"],
            referral.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Matches("^R(-[0-9A-Z]{5}){5}$", referral.GetProperty("publicId").GetString());
        Assert.Equal(("8N", "2026-10-07", "Accepted"), (referral.GetProperty("offence").GetProperty("code").GetString(), referral.GetProperty("dueBy").GetString(), referral.GetProperty("consent").GetString()));
        Assert.DoesNotContain("dateOfBirth", referral.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_withdrawal_before_the_referral_is_delivered_cancels_it_and_the_service_hears_nothing()
    {
        var generalUp = false;
        await using var pipeline = new PipelineTestHost(azurite, services: (service, _) => service == "general" && !Volatile.Read(ref generalUp) ? 503 : 201);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await WaitForAsync(async () => (await pipeline.DeliveryRowsAsync()).Any(d => d is { Kind: DeliveryKind.Referral, Status: DeliveryStatus.Pending, Attempts: > 0 }));

        await pipeline.SendAsync([Samples.Lines[15]]);
        await WaitForAsync(async () => (await pipeline.DeliveryRowsAsync()).Any(d => d is { Kind: DeliveryKind.Withdrawal, Status: DeliveryStatus.Cancelled }));
        Volatile.Write(ref generalUp, true);
        await pipeline.WaitUntilIdleAsync();

        Assert.Empty(pipeline.Deliveries());
        var rows = await pipeline.DeliveryRowsAsync();
        Assert.Equal(DeliveryStatus.Cancelled, rows.Single(d => d.Kind == DeliveryKind.Referral).Status);
        Assert.Equal(DeliveryStatus.Cancelled, rows.Single(d => d.Kind == DeliveryKind.Withdrawal).Status);
    }

    [Fact]
    public async Task A_service_down_for_a_while_gets_its_referrals_after_it_recovers_without_delaying_the_others()
    {
        // general answers 503 to its first two calls: both attempts of the first delivery; the queue brings it back after its retry delay.
        await using var pipeline = new PipelineTestHost(azurite, services: (service, call) => service == "general" && call <= 2 ? 503 : 201);
        await pipeline.StartAsync();

        await pipeline.SendAsync([Samples.Lines[1]]);
        await pipeline.WaitUntilIdleAsync();

        var rows = await pipeline.DeliveryRowsAsync();
        var general = rows.Single(d => d.ServiceId == "general");
        var idva = rows.Single(d => d.ServiceId == "idva");
        Assert.Equal((DeliveryStatus.Delivered, DeliveryStatus.Delivered), (general.Status, idva.Status));
        Assert.Equal(2, general.Attempts);
        // In-process retries wait at most 200 ms: a gap this long is the queue bringing the work item back.
        Assert.True(general.DeliveredAt - idva.DeliveredAt > PipelineTestHost.RetryDelay / 2, $"idva at {idva.DeliveredAt:O}, general at {general.DeliveredAt:O}");
        Assert.Equal(2, pipeline.Deliveries().Count(d => d.Kind == "Referral"));
    }

    [Fact]
    public async Task A_service_refusing_a_referral_records_a_permanent_failure_that_is_counted_listed_and_replayable()
    {
        var idvaFixed = false;
        await using var pipeline = new PipelineTestHost(azurite, services: (service, _) => service == "idva" && !Volatile.Read(ref idvaFixed) ? 400 : 201);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[1]]);
        await pipeline.WaitUntilIdleAsync();

        var failed = (await pipeline.DeliveryRowsAsync()).Single(d => d.ServiceId == "idva");
        Assert.Equal((DeliveryStatus.Failed, 400, 1), (failed.Status, failed.HttpStatus, failed.Attempts));
        Assert.Equal(1, pipeline.ServiceApis.LogEntries.Count(e => e.RequestMessage.Path == "/idva/referrals"));
        Assert.Equal(1, (await pipeline.TalliesAsync(October))[October, TallyCategories.ReferralsFailed]);
        var letter = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.StartsWith("idva refused the Referral: 400", letter.Reason, StringComparison.Ordinal);

        var (listed, listing) = await pipeline.CliAsync("poison");
        Volatile.Write(ref idvaFixed, true);
        var (replayed, _) = await pipeline.CliAsync("replay", letter.RowKey);
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal((0, 0), (listed, replayed));
        Assert.Contains("reason: idva refused the Referral: 400", listing, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Delivered, (await pipeline.DeliveryRowsAsync()).Single(d => d.ServiceId == "idva").Status);
        Assert.Contains(pipeline.Deliveries(), d => d.Id == "ref:DB/26/000102:V1:idva");
    }

    [Fact]
    public async Task Duplicated_and_shuffled_snapshots_give_one_delivery_each_and_exact_tallies()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var firstVersions = LocalHost.SnapshotSender.Waves(Samples.Lines)[0].Select(w => w.Line).ToList();

        await pipeline.SendAsync(firstVersions.Concat(firstVersions).Concat(firstVersions).OrderBy(_ => Random.Shared.Next()));
        await pipeline.WaitUntilIdleAsync();

        var deliveries = pipeline.Deliveries();
        Assert.Equal(deliveries.Count, deliveries.Select(d => d.Id).Distinct().Count());
        var expected = ExpectedTallies.Of(firstVersions);
        var report = await pipeline.TalliesAsync(October);
        Assert.All(expected.Where(e => e.Key != TallyCategories.RejectedMessages), e => Assert.Equal((e.Key, e.Value), (e.Key, report[October, e.Key])));
        Assert.Equal(deliveries.Count(d => d.Kind == "Referral"), report[October, TallyCategories.ReferralsDelivered]);
    }


    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !await condition(); await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met within 60 seconds");
        }
    }
}
