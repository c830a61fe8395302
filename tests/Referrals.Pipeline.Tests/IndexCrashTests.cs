using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// A crash between the two writes of an index: the victim's state transaction (with its tally rows) has reached storage,
/// the month index write has not. The crash is injected, not a process kill: the proxy in front of the tables
/// (<see cref="TableProxy"/>) keeps the index write from storage, and the handler is then cancelled, as a killed host
/// would leave it (its message not deleted). The message is then delivered again.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class IndexCrashTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_crash_between_the_state_transaction_and_the_index_write_loses_no_event_and_counts_none_twice()
    {
        await using var proxy = await TableProxy.StartAsync(azurite.ConnectionString);
        await using var pipeline = new PipelineTestHost(azurite, connect: proxy.Connect);
        await pipeline.StartAsync();
        var ingestor = pipeline.Services.GetRequiredService<SnapshotIngestor>();
        var index = pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.MonthIndexTable);

        // Two crimes alike but for their reference: 801 runs undisturbed, 802 crashes between its two writes.
        var (control, crashed) = (Line("DB/26/000801"), Line("DB/26/000802"));
        Assert.Equal(IngestOutcome.Applied, await ingestor.HandleAsync(control, 1, CancellationToken.None));
        var once = 0;
        proxy.Hold = r => r.Method == "POST" && r.Body.Contains(pipeline.Options.MonthIndexTable, StringComparison.Ordinal)
            && r.Body.Contains("DB%2F26%2F000802", StringComparison.Ordinal) && Interlocked.Increment(ref once) == 1;
        using var crash = new CancellationTokenSource();
        var handling = ingestor.HandleAsync(crashed, 1, crash.Token);
        await proxy.Held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handling);
        proxy.Hold = _ => false;

        // Between the two writes: the state and its tally rows stored, nothing of the crime in the index.
        var victim = await pipeline.Services.GetRequiredService<VictimStateStore>().LoadVictimAsync("DB/26/000802", "V1", CancellationToken.None);
        Assert.NotNull(victim);
        Assert.NotEmpty(victim.State.Counted);
        var all = await index.QueryAsync<TableEntity>(r => true).ToListAsync();
        Assert.True((await Rows(index, "DB/26/000801")).Count > 0, string.Join("\n", all.Select(r => r.PartitionKey + " " + r.RowKey + " " + string.Join(",", r.Select(kv => kv.Value)))));
        Assert.Empty(await Rows(index, "DB/26/000802"));

        // The queue delivers the message again: the snapshot is stale now, and the stored state is counted and indexed again.
        Assert.Equal(IngestOutcome.Stale, await ingestor.HandleAsync(crashed, 2, CancellationToken.None));
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal(IngestOutcome.Stale, await ingestor.HandleAsync(crashed, 3, CancellationToken.None));
        await pipeline.WaitUntilIdleAsync();

        // The same index rows as the crime that never crashed (times apart), once the steps' outboxes are applied, and each
        // month's tallies exactly twice its own.
        await pipeline.Services.GetRequiredService<IndexOutbox>().DrainAsync(CancellationToken.None);
        Assert.Equal(Normalised(await Rows(index, "DB/26/000801")), Normalised(await Rows(index, "DB/26/000802")).Select(k => k.Replace("000802", "000801", StringComparison.Ordinal)));
        // Each referral's self-locating public id leads to it, the crashed crime's too (issued again, the same, by the redelivery).
        foreach (var referral in (await pipeline.DeliveryRowsAsync()).Where(d => d.Kind == Referrals.Forwarding.DeliveryKind.Referral))
        {
            Assert.Null(Referrals.Forwarding.PublicReferralIds.PlaceOf(referral.PublicId).NotLocated);
            Assert.Equal(referral.CrimeReference, (await pipeline.Services.GetRequiredService<Outcomes.ReferralIdStore>().FindAsync(referral.PublicId!, CancellationToken.None))?.CrimeReference);
        }

        var months = (await Rows(index, "DB/26/000801")).Select(r => Month.TryParse(r.PartitionKey[..7], out var month) ? month : throw new FormatException(r.PartitionKey)).Distinct().ToArray();
        var tallies = await pipeline.TalliesAsync(months);
        var counted = (await Rows(index, "DB/26/000801")).Where(r => r.RowKey.StartsWith("tally|", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(counted);
        foreach (var month in months)
        {
            foreach (var category in counted.Where(r => r.PartitionKey.StartsWith(month.ToString(), StringComparison.Ordinal)).GroupBy(r => r.GetString("Category")))
            {
                Assert.Equal((category.Key, 2 * category.Count()), (category.Key, tallies[month, category.Key]));
            }
        }
    }

    private static string Line(string reference)
    {
        var line = JsonNode.Parse(Samples.Lines[0])!;
        line["crime"]!["reference"] = reference;
        line["eventId"] = $"evt-{reference[^3..]}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(line.ToJsonString()));
    }

    /// <summary>The crime's rows in the month index: those whose key or a value names it (test code: the whole table is read).</summary>
    private static async Task<List<TableEntity>> Rows(TableClient index, string crime) =>
        await index.QueryAsync<TableEntity>(r => true)
            .Where(r => r.Select(kv => kv.Value).Prepend(r.RowKey).OfType<string>().Any(v => v.Contains(crime, StringComparison.Ordinal) || v.Contains(TableKeys.Id(crime), StringComparison.Ordinal)))
            .ToListAsync();

    /// <summary>Each row's key without the times and public ids in it (each crime's own), sorted.</summary>
    private static List<string> Normalised(List<TableEntity> rows) =>
        [.. rows.Select(r => string.Join('|', r.RowKey.Split('|').Where(part => !DateTimeOffset.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out _) && Referrals.Forwarding.PublicReferralIds.Normalise(part) is null))).Order(StringComparer.Ordinal)];
}
