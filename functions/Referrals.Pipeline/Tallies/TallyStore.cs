using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;


/// <summary>
/// A counted event, once: partition = month and bucket (yyyy-MM-bb), row = category|subject, so recording it twice
/// changes nothing. A month is split into <see cref="TallyStore.Buckets"/> partitions by a hash of the subject: one
/// partition serves about 2,000 writes a second in Azure, and a month's writes come in bursts.
/// </summary>
public sealed class TallyEventEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Category { get; set; } = string.Empty;
}

/// <summary>A month's count of one category: partition = month, row = category key.</summary>
public sealed class MonthlyTallyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Name { get; set; } = string.Empty;

    public long Count { get; set; }

    public DateTimeOffset AggregatedAt { get; set; }
}

/// <summary>
/// Tally events and monthly tallies in Table Storage. Events are upserted by deterministic key (idempotent);
/// the monthly rows are recomputed from them, never incremented, so aggregation is safe to re-run.
/// </summary>
public sealed class TallyStore(StorageClients clients, IOptions<PipelineOptions> options, RulesData rules, TimeProvider time)
{
    public const int Buckets = 16;
    private const string StateRowPrefix = "tally:";

    private const int MaxBatch = 100;

    private TableClient Events => clients.Tables.GetTableClient(options.Value.TallyEventsTable);

    private TableClient Monthly => clients.Tables.GetTableClient(options.Value.MonthlyTalliesTable);

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    public IReadOnlyList<TallyCategory> Categories { get; } = TallyCategories.For(rules.Directory);

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        await Events.CreateIfNotExistsAsync(cancellationToken);
        await Monthly.CreateIfNotExistsAsync(cancellationToken);
    }

    public async Task RecordAsync(IEnumerable<TallyEvent> events, CancellationToken cancellationToken)
    {
        foreach (var partition in events.GroupBy(e => PartitionOf(e.Month, e.Subject)))
        {
            var rows = partition
                .Select(e => new TallyEventEntity { PartitionKey = partition.Key, RowKey = $"{e.Category}|{TableKeys.Id(e.Subject)}", Category = e.Category })
                .DistinctBy(e => e.RowKey);
            foreach (var batch in rows.Chunk(MaxBatch))
            {
                await Events.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Counts a month's events into its monthly rows. Each row is replaced only if unchanged since it was read, and
    /// never with a smaller count: events are only ever added, so a slower concurrent run cannot undo a newer one.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> AggregateAsync(Month month, CancellationToken cancellationToken)
    {
        var partition = month.ToString();
        for (var attempt = 1; ; attempt++)
        {
            var existing = await Monthly.QueryAsync<MonthlyTallyEntity>($"PartitionKey eq '{partition}'", cancellationToken: cancellationToken)
                .ToDictionaryAsync(r => r.RowKey, StringComparer.Ordinal, cancellationToken);
            var counts = await CountEventsAsync(partition, cancellationToken);
            var now = time.GetUtcNow();
            var actions = new List<TableTransactionAction>();
            foreach (var category in Categories)
            {
                var count = counts.GetValueOrDefault(category.Key);
                var row = new MonthlyTallyEntity { PartitionKey = partition, RowKey = category.Key, Name = category.Name, Count = count, AggregatedAt = now };
                if (!existing.TryGetValue(category.Key, out var stored))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                }
                else if (stored.Count <= count)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, stored.ETag));
                }
            }

            try
            {
                foreach (var batch in actions.Chunk(MaxBatch))
                {
                    await Monthly.SubmitTransactionAsync(batch, cancellationToken);
                }

                return counts;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another run wrote this month meanwhile: read again and count again.
            }
        }
    }

    public async Task<TallyReport> ReadAsync(MonthRange range, CancellationToken cancellationToken)
    {
        var filter = $"PartitionKey ge '{range.From}' and PartitionKey le '{range.To}'";
        var counts = new Dictionary<Month, Dictionary<string, long>>();
        await foreach (var row in Monthly.QueryAsync<MonthlyTallyEntity>(filter, cancellationToken: cancellationToken))
        {
            if (Month.TryParse(row.PartitionKey, out var month))
            {
                (counts.TryGetValue(month, out var months) ? months : counts[month] = new(StringComparer.Ordinal))[row.RowKey] = row.Count;
            }
        }

        return new TallyReport(range, Categories, counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, long>)c.Value));
    }

    /// <summary>
    /// A crime's tally events as rows of its partition in the state table (row = tally:month|category|subject@partition),
    /// so they are written in the transaction that changes the state they count: never one without the other, and
    /// no request of their own. Upserted by deterministic key, so counting twice changes nothing.
    /// </summary>
    public static IEnumerable<TableTransactionAction> StateRows(string partitionKey, IEnumerable<TallyEvent> events) =>
        events.Select(e => new TallyEventEntity { PartitionKey = partitionKey, RowKey = $"{StateRowPrefix}{e.Month}|{e.Category}|{TableKeys.Id(e.Subject)}@{partitionKey}", Category = e.Category })
            .DistinctBy(e => e.RowKey)
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e));

    /// <summary>A stable bucket (FNV-1a of the subject), the same on every machine and run.</summary>
    private static string PartitionOf(Month month, string subject)
    {
        var hash = 2166136261u;
        foreach (var c in subject)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{month}-{hash % Buckets:00}");
    }

    private async Task<Dictionary<string, long>> CountEventsAsync(string month, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var filter = $"PartitionKey ge '{month}-00' and PartitionKey le '{month}-{Buckets - 1:00}'";
        await foreach (var row in Events.QueryAsync<TallyEventEntity>(filter, select: ["Category"], cancellationToken: cancellationToken))
        {
            counts[row.Category] = counts.GetValueOrDefault(row.Category) + 1;
        }

        // The events written with the state they count, in every crime's partition: one scan of the month's rows.
        var stateRows = $"RowKey ge '{StateRowPrefix}{month}|' and RowKey lt '{StateRowPrefix}{month}}}'";
        await foreach (var row in States.QueryAsync<TallyEventEntity>(stateRows, select: ["Category"], cancellationToken: cancellationToken))
        {
            counts[row.Category] = counts.GetValueOrDefault(row.Category) + 1;
        }

        return counts;
    }
}
