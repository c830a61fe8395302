using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// A victim's row carries its copy of the crime's latest snapshot, so the email and referral steps read one row: the
/// copy follows the crime's versions, a victim a later version drops gets nothing, and a crime too heavy to copy falls
/// back on the crime's row with the same results.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class SnapshotCopyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_victim_the_next_version_no_longer_lists_is_neither_emailed_nor_referred_and_their_copy_is_dropped()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["Outbound:Paused"] = "true";
        pipeline.Settings["Outbound:PausedRecheckInterval"] = "00:00:01";
        await pipeline.StartAsync();

        await pipeline.SendAsync([HostileIdsTests.Snapshot("DB/26/000901", ["V1", "V2"])]);
        await WaitUntilIngestedAsync(pipeline);
        await pipeline.SendAsync([HostileIdsTests.Snapshot("DB/26/000901", ["V1"], change: json => json["crime"]!["version"] = 2)]);
        await WaitUntilIngestedAsync(pipeline);
        Assert.Equal(2, (await pipeline.VictimsAsync()).Single(v => v.VictimId == "V1").Version);
        var configuration = (IConfigurationRoot)pipeline.Services.GetRequiredService<IConfiguration>();
        configuration["Outbound:Paused"] = "false";
        configuration.Reload();
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal([("DB/26/000901", "V1")], pipeline.EmailsAccepted().Select(e => (e.Crime, e.Victim)));
        Assert.Equal(["V1"], pipeline.Deliveries().Select(d => d.Id.Split(':')[2]).Distinct());
        var victims = (await pipeline.VictimsAsync()).ToDictionary(v => v.VictimId);
        Assert.Equal((MessageStatus.Suppressed, "NotInLatestSnapshot"), (victims["V2"].EmailStatus, victims["V2"].EmailReason));
        Assert.Equal((SnapshotSource.NotInLatest, null), (victims["V2"].SnapshotSource, victims["V2"].Snapshot));
        var cancelled = (await pipeline.DeliveryRowsAsync()).Single(d => d.VictimId == "V2");
        Assert.Equal((DeliveryStatus.Cancelled, "the victim is not in the latest snapshot"), (cancelled.Status, cancelled.Reason));

        // The steps' writes kept the remaining victim's copy, of the latest version.
        Assert.Equal(SnapshotSource.VictimRow, victims["V1"].SnapshotSource);
        var copy = Contract.CrimeEventParser.Parse(victims["V1"].Snapshot!).Snapshot!;
        Assert.Equal((2L, "V1"), (copy.Crime.Version, Assert.Single(copy.Victims).Id));
    }

    [Fact]
    public async Task A_crime_whose_copies_would_be_too_heavy_for_one_transaction_is_read_from_its_crime_row_with_the_same_results()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        // 50 victims and 42,500 characters of a field the contract does not know (the records system may add any, and
        // a copy keeps them): 50 copies would weigh over 2 MiB together, in a message that fits a queue message.
        var ids = Enumerable.Range(1, 50).Select(i => $"V{i}").ToList();
        var heavy = HostileIdsTests.Snapshot("DB/26/000902", ids, change: json =>
        {
            json["crime"]!["notes"] = string.Concat(Enumerable.Repeat("Damage to a fence ", 2400))[..42500];
            json["victims"] = new JsonArray([.. ids.Select(id => JsonNode.Parse($$"""{"id":"{{id}}","givenName":"Sam","support":"NotAsked","email":"victim@example.org","emailSafe":true}"""))]);
        });
        Assert.True(50L * (Encoding.UTF8.GetByteCount(heavy) - 4000) > SnapshotCopy.MaxBytesPerCrime);
        await pipeline.SendAsync([heavy]);
        await pipeline.WaitUntilIdleAsync();

        Assert.Empty((await pipeline.DeadLettersAsync(Referrals.Pipeline.DeadLetters.DeadLetterKind.Rejected)).Select(d => d.Reason));
        var victims = await pipeline.VictimsAsync();
        Assert.Equal(50, victims.Count);
        Assert.All(victims, v => Assert.Equal((SnapshotSource.CrimeRow, MessageStatus.Sent), (v.SnapshotSource, v.EmailStatus)));
        Assert.Equal(ids.Order(), pipeline.EmailsAccepted().Select(e => e.Victim).Order());
        Assert.Equal(ids.Order(), pipeline.Deliveries().Select(d => d.Id.Split(':')[2]).Order());
    }

    private static async Task WaitUntilIngestedAsync(PipelineTestHost pipeline)
    {
        var crimeEvents = pipeline.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(pipeline.Options.CrimeEventsQueue);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); (await crimeEvents.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0; await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the snapshots were not ingested within 60 seconds");
        }
    }
}
