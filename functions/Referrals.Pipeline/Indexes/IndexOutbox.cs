using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Indexes;

/// <summary>
/// The month index's outbox (docs/architecture.md, "Indexes"): the index rows of a step's state write, kept in the crime's
/// own partition and written in the step's own transaction, so they cost no request of their own; the drain applies them
/// to the month index in bulk and closes the outbox. A stored snapshot opens it (<see cref="Open"/> in its transaction,
/// and an <see cref="OutboxOpened"/> row in the month index that the drain reads); every outbox write touches the open
/// row (its "marker"), so a step whose write comes after the drain closed the outbox fails that write atomically and
/// writes the index itself, as before (<see cref="TryReplaceAsync{T}"/>). The drain closes an outbox only if its marker is
/// unchanged since it read the rows it applied: nothing written in between is lost, nothing is applied twice in a way
/// that counts (index rows are merged by deterministic key).
/// </summary>
public sealed partial class IndexOutbox(StorageClients clients, IOptions<PipelineOptions> options, MonthIndex index, TimeProvider time, ILogger<IndexOutbox> logger)
{
    /// <summary>The drain's cursor in the month index: drained up to when.</summary>
    public const string Cursor = "outbox";

    /// <summary>Row keys of a crime's outbox rows (and of its marker): from "owed:" up to, not including, "owed;".</summary>
    public const string Prefix = "owed:";

    /// <summary>
    /// How long after the row's last write a step tries the outbox (the drains run every 15 minutes or hourly): a step
    /// later than that writes the index itself rather than risk a failed transaction. Cost only: either way is exact.
    /// </summary>
    public static readonly TimeSpan TryFor = TimeSpan.FromMinutes(10);

    /// <summary>How far before its cursor every drain looks again (an `owed|` row written late, after a crash).</summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(31);

    /// <summary>How far back a drain that never ran looks: as long as personal data is kept (13 months), once.</summary>
    private static readonly TimeSpan FirstLook = TimeSpan.FromDays(400);

    private const int MaxTransaction = 100;

    /// <summary>Azurite refuses a row key over 512 characters (Azure: 1 KiB): a change with a longer one writes the index directly.</summary>
    private const int MaxRowKey = 512;

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>The marker's row key; ends with the partition key for Azurite's sake (<see cref="VictimStateStore.CrimeRowKeyFor"/>).</summary>
    public static string MarkerKey(string crimePartition) => $"{Prefix}open@{crimePartition}";

    /// <summary>The action that opens (or keeps open) a crime's outbox, for a stored snapshot's transaction.</summary>
    public static TableTransactionAction Open(string crimePartition) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(crimePartition, MarkerKey(crimePartition)));

    /// <summary>
    /// Replaces <paramref name="entity"/> only if nobody changed it since it was read (its ETag), with the rows
    /// <paramref name="alongside"/> and the change's index rows: into the crime's outbox in the same transaction when it
    /// is open, else written to the month index after it. False when the row changed.
    /// </summary>
    /// <param name="lastWrite">When the row was last written (null: unknown), to skip the outbox when it is likely closed.</param>
    public async Task<bool> TryReplaceAsync<T>(TableClient table, T entity, IReadOnlyList<TableTransactionAction> alongside, string crimeReference, IEnumerable<TallyEvent> counted, IEnumerable<IndexEntry> entries, DateTimeOffset? lastWrite, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        var rows = MonthIndex.RowsOf(crimeReference, counted, entries);
        if (rows.Count > 0 && (lastWrite is null || time.GetUtcNow() - lastWrite < TryFor) && Owe(entity.PartitionKey, rows) is { } owed && 1 + alongside.Count + owed.Count <= MaxTransaction)
        {
            try
            {
                var response = await table.SubmitTransactionAsync([new(TableTransactionActionType.UpdateReplace, entity, entity.ETag), .. alongside, .. owed], cancellationToken);
                entity.ETag = response.Value[0].Headers.ETag ?? entity.ETag;
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                return false;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // The outbox is closed (its marker gone): the write without it, and the index directly, below.
            }
        }

        if (!await table.TryReplaceWithAsync(entity, alongside, cancellationToken))
        {
            return false;
        }

        // A crash before this write is covered by the step's redelivery, which counts and indexes a change it finds done again.
        await index.WriteAsync(rows, cancellationToken);
        return true;
    }

    /// <summary>
    /// Applies every open outbox to the month index and closes it: the crimes the month index lists as opened (from a
    /// month before the last drain to now: bounded by the work, not by what is kept), each read with one query of its own
    /// partition; their rows written together, by index partition; then each closed, ETag-checked. A crime written to in
    /// between stays open, its row in the month index kept, for the next drain. Safe to run twice at once.
    /// </summary>
    /// <returns>How many outboxes were closed.</returns>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (through, read) = await index.ReadCursorAsync(Cursor, cancellationToken);
        var opened = await index.RangeAsync(MonthIndex.Owed, through is { } last ? last - LookBack : now - FirstLook, now, cancellationToken).ToListAsync(cancellationToken);
        var crimes = new List<(string Partition, List<TableEntity> Pointers, List<TableEntity> Rows)>();
        foreach (var crime in opened.GroupBy(CrimeOf, StringComparer.Ordinal))
        {
            var rows = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(crime.Key)} and RowKey ge '{Prefix}' and RowKey lt 'owed;'", cancellationToken: cancellationToken)
                .ToListAsync(cancellationToken);
            crimes.Add((crime.Key, [.. crime], rows));
        }

        await index.WriteAsync([.. crimes.SelectMany(c => c.Rows).Where(r => r.RowKey != MarkerKey(r.PartitionKey)).Select(IndexRowOf)], cancellationToken);
        var closed = new List<TableEntity>();
        foreach (var (partition, pointers, rows) in crimes)
        {
            if (await CloseAsync(partition, rows, cancellationToken))
            {
                closed.AddRange(pointers);
            }
        }

        await index.DeleteAsync(closed, cancellationToken);
        await index.AdvanceCursorAsync(Cursor, now, read, cancellationToken);
        var left = crimes.Count - closed.Select(CrimeOf).Distinct(StringComparer.Ordinal).Count();
        LogDrained(logger, crimes.Count - left, left);
        return crimes.Count - left;
    }

    private static string CrimeOf(TableEntity opened) => VictimStateStore.PartitionKeyFor(opened.GetString("CrimeReference") ?? "");

    /// <summary>The outbox rows of a change's index rows, and the touch of the marker that fails the transaction when the outbox is closed; null when a key is too long.</summary>
    private static List<TableTransactionAction>? Owe(string crimePartition, IReadOnlyList<TableEntity> rows)
    {
        // One row per index row (a transaction may not name a row twice), its values merged as the index would merge them.
        var owed = new List<TableTransactionAction>();
        foreach (var same in rows.GroupBy(r => $"{Prefix}{r.PartitionKey}|{r.RowKey}@{crimePartition}", StringComparer.Ordinal))
        {
            if (same.Key.Length > MaxRowKey)
            {
                return null;
            }

            var copy = new TableEntity(crimePartition, same.Key);
            foreach (var (column, value) in same.SelectMany(r => r).Where(kv => kv.Key is not ("PartitionKey" or "RowKey")))
            {
                copy[column] = value;
            }

            owed.Add(new(TableTransactionActionType.UpsertMerge, copy));
        }

        owed.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(crimePartition, MarkerKey(crimePartition)), ETag.All));
        return owed;
    }

    /// <summary>The month index row an outbox row carries: "owed:" + index partition (yyyy-MM-bb) + "|" + index row key + "@" + crime partition.</summary>
    private static TableEntity IndexRowOf(TableEntity owed)
    {
        var key = owed.RowKey;
        var partition = key.Substring(Prefix.Length, 10);
        var row = new TableEntity(partition, key[(Prefix.Length + 11)..^(owed.PartitionKey.Length + 1)]);
        foreach (var (column, value) in owed.Where(kv => kv.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
        {
            row[column] = value;
        }

        return row;
    }

    /// <summary>Deletes the rows applied, the marker last, each only as read: false when a step wrote to the outbox in between.</summary>
    private async Task<bool> CloseAsync(string partition, List<TableEntity> rows, CancellationToken cancellationToken)
    {
        var ordered = rows.Where(r => r.RowKey != MarkerKey(partition)).Concat(rows.Where(r => r.RowKey == MarkerKey(partition))).ToList();
        try
        {
            foreach (var batch in ordered.Chunk(MaxTransaction))
            {
                await States.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), cancellationToken);
            }

            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Index outbox: {Closed} crimes' outboxes applied and closed, {Left} written to meanwhile and left for the next drain")]
    private static partial void LogDrained(ILogger logger, int closed, int left);
}
