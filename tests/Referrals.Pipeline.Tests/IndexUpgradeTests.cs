using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// A store written before the month index is read correctly after `referrals reindex`. The old layout is the new one
/// without the month index, the dead-letter index and <see cref="DeadLetterEntity.Crimes"/>: the state rows (victims,
/// deliveries, audit rows, tally rows in each crime's partition) are written exactly as before this change.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class IndexUpgradeTests(AzuriteFixture azurite)
{
    private static readonly Month October = new(2026, 10);

    [Fact]
    public async Task A_store_written_before_the_index_counts_finds_and_purges_the_same_after_reindex()
    {
        // Real time: GOV.UK Notify's stand-in checks the clock of each request's token. The purge gets a clock of its own.
        await using var pipeline = new PipelineTestHost(azurite, receipts: true);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines[..10]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync(Samples.Lines[10..]);
        await pipeline.WaitUntilIdleAsync();
        var tallies = await pipeline.TalliesAsync(October);
        var written = await IndexRowsAsync(pipeline);
        var deadLetters = pipeline.Services.GetRequiredService<VictimDeadLetters>();
        var rejected = (await deadLetters.ListAsync("DB/26/000199", "V1", CancellationToken.None)).Select(l => l.RowKey).ToList();

        await ToOldLayoutAsync(pipeline);
        var (exitCode, output) = await pipeline.CliAsync("reindex");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Indexed 19 crime(s), 21 victim(s)", output, StringComparison.Ordinal);
        var migrated = await IndexRowsAsync(pipeline);
        Assert.Contains(migrated.Keys, k => k.StartsWith(MonthIndex.Tally, StringComparison.Ordinal));
        foreach (var kind in new[] { MonthIndex.Tally, MonthIndex.Status, MonthIndex.EmailStatus, MonthIndex.Delivered, MonthIndex.DueIndex(Referrals.Indexes.DueWork.Referral), MonthIndex.ReferralId })
        {
            Assert.True(Of(written, kind).Count > 0, $"nothing written in {kind}: {string.Join(" ; ", written.Keys.Select(k => k[..Math.Min(k.Length, 16)]).Distinct().Take(40))}");
            Assert.Equal(Of(written, kind), Of(migrated, kind));
        }

        // Each crime as it stands now (its latest snapshot); the pipeline also wrote the crime rows of earlier versions.
        Assert.Subset(Of(written, MonthIndex.Crime).ToHashSet(), Of(migrated, MonthIndex.Crime).ToHashSet());
        Assert.Equal(19, Of(migrated, MonthIndex.Crime).Count);

        var after = await pipeline.TalliesAsync(October);
        Assert.All(tallies.Categories, c => Assert.Equal((c.Key, tallies[October, c.Key]), (c.Key, after[October, c.Key])));
        Assert.NotEmpty(rejected);
        Assert.Equal(rejected, (await deadLetters.ListAsync("DB/26/000199", "V1", CancellationToken.None)).Select(l => l.RowKey));

        var purge = new RetentionPurge(pipeline.Services.GetRequiredService<StorageClients>(), pipeline.Services.GetRequiredService<IOptions<PipelineOptions>>(),
            pipeline.Services.GetRequiredService<IOptions<RetentionOptions>>(), pipeline.Services.GetRequiredService<Referrals.Pipeline.Tasks.TaskRetention>(), pipeline.Services.GetRequiredService<Outcomes.ReferralIdStore>(), new SettableTime(DateTimeOffset.UtcNow.AddDays(400)), pipeline.Services.GetRequiredService<MonthIndex>(), NullLogger<RetentionPurge>.Instance,
            pipeline.Services.GetRequiredService<Receipts.RecipientIndex>());
        var purged = await purge.RunAsync(dryRun: false, CancellationToken.None);
        Assert.Equal((19, 21), (purged.Crimes, purged.Victims));
    }

    /// <summary>Takes away what this change added: the month index, the dead-letter index and the dead letters' crimes.</summary>
    private static async Task ToOldLayoutAsync(PipelineTestHost pipeline)
    {
        var tables = pipeline.Services.GetRequiredService<StorageClients>().Tables;
        await tables.DeleteTableAsync(pipeline.Options.MonthIndexTable);
        var deadLetters = tables.GetTableClient(pipeline.Options.DeadLetterTable);
        await foreach (var row in deadLetters.QueryAsync<TableEntity>())
        {
            if (row.PartitionKey.StartsWith("crime-", StringComparison.Ordinal))
            {
                await deadLetters.DeleteEntityAsync(row.PartitionKey, row.RowKey);
            }
            else
            {
                Assert.True(row.Remove(nameof(DeadLetterEntity.Crimes)));
                await deadLetters.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
            }
        }
    }

    /// <summary>The month index as stored (the test reads it whole): row key → its columns, cursors left out.</summary>
    private static async Task<Dictionary<string, string>> IndexRowsAsync(PipelineTestHost pipeline) =>
        await pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.MonthIndexTable).QueryAsync<TableEntity>()
            .Where(r => r.PartitionKey != MonthIndex.CursorPartition)
            .ToDictionaryAsync(r => r.RowKey, r => $"{r.PartitionKey} {string.Join(", ", r.Where(c => c.Key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey")).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))}");

    private static List<string> Of(Dictionary<string, string> rows, string index) =>
        [.. rows.Where(r => r.Key.StartsWith(index, StringComparison.Ordinal)).Select(r => $"{r.Key} {r.Value}").Order(StringComparer.Ordinal)];
}
