using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Pipeline.Indexes;

/// <summary>
/// The month index (docs/architecture.md, "Indexes"): what the periodic jobs and the endpoints read instead of scanning the
/// state table. Partition "yyyy-MM-bb": a month and one of <see cref="Buckets"/> buckets of the crime (FNV-1a of its
/// partition key), so a month's writes spread over 16 partitions, and every row one write of a crime gives lands, as a
/// rule, in one partition: one transaction. Row keys name the index and sort by time within it:
/// <list type="bullet">
/// <item><c>tally|category|subject</c>: a tally event, in the month it counts in (the recount);</item>
/// <item><c>crime|time|crime</c>: a crime's snapshot stored (the retention purge, by date);</item>
/// <item><c>status|time|crime|victim|channel</c>: a text message or letter Notify accepted (the status timer);</item>
/// <item><c>email-status|time|crime|victim|Email</c>: an email SendGrid accepted, until its status is final (the status timer);</item>
/// <item><c>unknown|time|crime|victim|channel</c>: a message whose outcome is unknown since that send (the status timer settles it);</item>
/// <item><c>due-kind|time|id</c>: work due at a time: referrals for the deadline watch, tasks for a worklist;</item>
/// <item><c>delivered|service|id</c>: a delivery by the month it reached its service (the services' figures);</item>
/// <item><c>rid|public id</c>: a referral by its self-locating public id, in the partition the id names (the outcome API);</item>
/// <item><c>owed|time|crime</c>: a crime whose index outbox is open (<see cref="IndexOutbox"/>), until the drain closes it.</item>
/// </list>
/// Rows are derived from the state rows (<see cref="IndexRule"/>) and merged by deterministic key, so writing them again
/// changes nothing; the state row is written first, in its own transaction, and a crash between the two is finished by
/// the step's redelivery or by <see cref="IndexSweep"/>.
/// </summary>
public sealed class MonthIndex(StorageClients clients, IOptions<PipelineOptions> options)
{
    public const int Buckets = 16;

    /// <summary>The partition of the jobs' cursors (<see cref="ReadCursorAsync"/>): it sorts after every month.</summary>
    public const string CursorPartition = "cursor";

    public const string Tally = "tally|";
    public const string Crime = "crime|";
    public const string Status = "status|";

    /// <summary>The emails SendGrid accepted: apart from Notify's <see cref="Status"/> rows, so neither timer reads the other's.</summary>
    public const string EmailStatus = "email-status|";

    public const string Delivered = "delivered|";
    public const string Owed = "owed|";
    public const string Unknown = "unknown|";
    public const string ReferralId = "rid|";

    private const int MaxTransaction = 100;

    private TableClient Table => clients.Tables.GetTableClient(options.Value.MonthIndexTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>A time as it sorts in a row key: UTC, fixed width.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static string PartitionOf(Month month, string crimePartitionKey) => PartitionOf(month, Bucket(crimePartitionKey));

    public static string PartitionOf(Month month, int bucket) => string.Create(CultureInfo.InvariantCulture, $"{month}-{bucket:00}");

    /// <summary>A stable bucket (FNV-1a of the crime's partition key), the same on every machine and run.</summary>
    public static int Bucket(string crimePartitionKey)
    {
        var hash = 2166136261u;
        foreach (var c in crimePartitionKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Buckets);
    }

    public static string DueIndex(string kind) => $"due-{kind}|";

    /// <summary>A due row's delivery status, as its delivery last wrote it (issue 29's deadline watch).</summary>
    public const string DeliveryStatusColumn = "DeliveryStatus";

    /// <summary>When the deadline watch gave a due row's notice (once per referral); written by the watch alone.</summary>
    public const string NoticedAtColumn = "NoticedAt";

    /// <summary>
    /// Writes a crime's index rows: its tally events and its entries, merged by key, one transaction per partition (and
    /// per 100 rows). Returns how many transactions it took (0 when there was nothing to write).
    /// </summary>
    public Task<int> ApplyAsync(string crimeReference, IEnumerable<TallyEvent> counted, IEnumerable<IndexEntry> entries, CancellationToken cancellationToken) =>
        WriteAsync(RowsOf(crimeReference, counted, entries), cancellationToken);

    /// <summary>The index rows of a crime's tally events and entries, as <see cref="ApplyAsync"/> writes them.</summary>
    public static IReadOnlyList<TableEntity> RowsOf(string crimeReference, IEnumerable<TallyEvent> counted, IEnumerable<IndexEntry> entries)
    {
        var crime = VictimStateStore.PartitionKeyFor(crimeReference);
        return [.. counted.Select(e => RowOf(crime, e)).Concat(entries.Select(e => RowOf(crime, e)))];
    }

    /// <summary>A crime's tally rows in the state table, as they are (the truth), written again into the index: a migration's and a sweep's source.</summary>
    public Task<int> ApplyStateTallyRowsAsync(string crimePartitionKey, IEnumerable<TableEntity> stateRows, CancellationToken cancellationToken)
    {
        var rows = stateRows.Select(r => IndexRowOf(crimePartitionKey, r)).OfType<TableEntity>().ToList();
        return WriteAsync(rows, cancellationToken);
    }

    /// <summary>The index row of a state table's tally row (<see cref="TallyStore.StateRows"/>: "tally:month|category|subject@partition"); null for any other row.</summary>
    public static TableEntity? IndexRowOf(string crimePartitionKey, TableEntity stateRow)
    {
        var suffix = "@" + crimePartitionKey;
        var key = stateRow.RowKey;
        if (!key.StartsWith(TallyStore.StateRowPrefix, StringComparison.Ordinal) || !key.EndsWith(suffix, StringComparison.Ordinal)
            || key.IndexOf('|', StringComparison.Ordinal) is var bar && bar < 0
            || !Referrals.Tallies.Month.TryParse(key[TallyStore.StateRowPrefix.Length..bar], out var month)
            || stateRow.GetString("Category") is not { Length: > 0 } category)
        {
            return null;
        }

        return With(new TableEntity(PartitionOf(month, crimePartitionKey), Tally + key[(bar + 1)..^suffix.Length]) { ["Category"] = category }, "Service", stateRow.GetString("Service"));
    }

    /// <summary>The tally events counted in a month: its 16 partitions, tally rows only.</summary>
    public IAsyncEnumerable<TableEntity> TallyEventsAsync(Month month, CancellationToken cancellationToken) =>
        Table.QueryAsync<TableEntity>($"{MonthRange(month)} and RowKey ge '{Tally}' and RowKey lt 'tally}}'", select: ["Category", "Service"], cancellationToken: cancellationToken);

    /// <summary>
    /// The rows of one index whose time lies after <paramref name="after"/> and up to <paramref name="through"/>: one query
    /// per month the range touches, the oldest first. A row key sorts by time only within its index, so the caller orders
    /// across buckets by <see cref="TimeOf"/>.
    /// </summary>
    /// <param name="where">A further condition on the rows' columns, applied by storage.</param>
    public async IAsyncEnumerable<TableEntity> RangeAsync(string index, DateTimeOffset after, DateTimeOffset through, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, string? where = null)
    {
        if (through <= after)
        {
            yield break;
        }

        var (from, to) = (Referrals.Tallies.Month.Of(after), Referrals.Tallies.Month.Of(through));
        for (var month = from; month <= to; month = month.Next)
        {
            var filter = $"{MonthRange(month)} and RowKey gt {TableKeys.Quote(index + Time(after))} and RowKey le {TableKeys.Quote(index + Time(through) + "~")}{(where is null ? "" : $" and {where}")}";
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                yield return row;
            }
        }
    }

    /// <summary>The deliveries that reached a service in a month (all services, or one).</summary>
    public IAsyncEnumerable<TableEntity> DeliveredAsync(Month month, string? serviceId, CancellationToken cancellationToken)
    {
        var prefix = serviceId is null ? Delivered : $"{Delivered}{TableKeys.Id(serviceId)}|";
        return Table.QueryAsync<TableEntity>($"{MonthRange(month)} and RowKey ge {TableKeys.Quote(prefix)} and RowKey lt {TableKeys.Quote(prefix + "\uffff")}", cancellationToken: cancellationToken);
    }

    /// <summary>The time in an index row's key (after its index's prefix).</summary>
    public static DateTimeOffset TimeOf(TableEntity row) =>
        DateTimeOffset.ParseExact(row.RowKey.AsSpan(row.RowKey.IndexOf('|', StringComparison.Ordinal) + 1, 28), "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The row of a self-locating public id (<see cref="Referrals.Forwarding.PublicReferralIds.PlaceOf"/>): one point read; null when it is not there.</summary>
    public async Task<TableEntity?> ReferralAsync(Month month, int bucket, string publicId, CancellationToken cancellationToken) =>
        await Table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(month, bucket), ReferralId + publicId, cancellationToken: cancellationToken) is { HasValue: true } row ? row.Value : null;

    /// <summary>Deletes the row of a self-locating public id (already gone is fine).</summary>
    public async Task ForgetReferralAsync(Month month, int bucket, string publicId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(PartitionOf(month, bucket), ReferralId + publicId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Forgotten by an earlier run.
        }
    }

    /// <summary>Sets one column of a row as read (ETag-checked merge): true for the one writer that did; false when the row changed or went since.</summary>
    public async Task<bool> TryMarkAsync(TableEntity row, string column, object value, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { [column] = value }, row.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Marks status and due rows settled (the work they announced is done or no longer this row's).</summary>
    public Task SettleAsync(IEnumerable<TableEntity> rows, CancellationToken cancellationToken) =>
        WriteAsync([.. rows.Select(r => new TableEntity(r.PartitionKey, r.RowKey) { ["Settled"] = true })], cancellationToken);

    /// <summary>A job's cursor: how far it has read an index (null: never), with the ETag to advance it.</summary>
    public async Task<(DateTimeOffset? Through, ETag ETag)> ReadCursorAsync(string job, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(CursorPartition, job, cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } value ? (value.GetDateTimeOffset("Through"), value.ETag) : (null, default);
    }

    /// <summary>Moves a cursor forward to <paramref name="through"/>, never back: another run that got further first keeps its place.</summary>
    public async Task AdvanceCursorAsync(string job, DateTimeOffset through, ETag read, CancellationToken cancellationToken)
    {
        for (var etag = read; ;)
        {
            try
            {
                var row = new TableEntity(CursorPartition, job) { ["Through"] = through };
                if (etag == default)
                {
                    await Table.AddEntityAsync(row, cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                var (stored, now) = await ReadCursorAsync(job, cancellationToken);
                if (stored >= through)
                {
                    return;
                }

                etag = now;
            }
        }
    }

    /// <summary>Puts a cursor back to <paramref name="through"/> when it is later or unset (`referrals reindex`: rows older than a cursor are never read).</summary>
    public async Task SetCursorAsync(string job, DateTimeOffset through, CancellationToken cancellationToken)
    {
        var (stored, _) = await ReadCursorAsync(job, cancellationToken);
        if (stored is null || stored > through)
        {
            await Table.UpsertEntityAsync(new TableEntity(CursorPartition, job) { ["Through"] = through }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>
    /// Writes index rows, merged by key, one transaction per partition (and per 100 rows). Returns how many transactions
    /// it took (0 when there was nothing to write).
    /// </summary>
    public async Task<int> WriteAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        var writes = 0;
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.GroupBy(r => r.RowKey, StringComparer.Ordinal).Select(Merge).Chunk(MaxTransaction))
            {
                await Table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertMerge, r)), cancellationToken);
                writes++;
            }
        }

        return writes;
    }

    /// <summary>Deletes index rows (the drained outboxes' <see cref="Owed"/> rows), one transaction per partition and 100 rows.</summary>
    public async Task DeleteAsync(IEnumerable<TableEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var partition in rows.DistinctBy(r => (r.PartitionKey, r.RowKey)).GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(MaxTransaction))
            {
                try
                {
                    await Table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey), ETag.All)), cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                    // Another run deleted one of them first: the rest one by one (a row already gone is fine).
                    foreach (var row in batch)
                    {
                        await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                    }
                }
            }
        }
    }

    private static string MonthRange(Month month) => $"PartitionKey ge '{month}-00' and PartitionKey le '{month}-{Buckets - 1:00}'";

    private static TableEntity Merge(IEnumerable<TableEntity> same)
    {
        var merged = new TableEntity();
        foreach (var row in same)
        {
            foreach (var (key, value) in row)
            {
                merged[key] = value;
            }
        }

        return merged;
    }

    private static TableEntity RowOf(string crime, TallyEvent e) =>
        With(new TableEntity(PartitionOf(e.Month, crime), $"{Tally}{e.Category}|{TableKeys.Id(e.Subject)}") { ["Category"] = e.Category }, "Service", e.Service);

    /// <summary>Only values that are there: a merge leaves a column it is not given as it was.</summary>
    private static TableEntity With(TableEntity row, string column, object? value)
    {
        if (value is not null)
        {
            row[column] = value;
        }

        return row;
    }

    private static TableEntity RowOf(string crime, IndexEntry entry)
    {
        var partition = PartitionOf(Referrals.Tallies.Month.Of(entry.At), crime);
        var row = entry switch
        {
            CrimeStored => new TableEntity(partition, $"{Crime}{Time(entry.At)}|{crime}"),
            OutboxOpened => new TableEntity(partition, $"{Owed}{Time(entry.At)}|{crime}"),
            StatusCheck s => new TableEntity(partition, $"{(s.Channel == Referrals.Contact.Channel.Email ? EmailStatus : Status)}{Time(s.SentAt)}|{crime}|{TableKeys.Id(s.VictimId)}|{s.Channel}")
            {
                ["VictimId"] = s.VictimId,
                ["Channel"] = s.Channel.ToString(),
                ["Settled"] = s.Settled,
            },
            UnknownCheck u => new TableEntity(partition, $"{Unknown}{Time(u.AttemptedAt)}|{crime}|{TableKeys.Id(u.VictimId)}|{u.Channel}")
            {
                ["VictimId"] = u.VictimId,
                ["Channel"] = u.Channel.ToString(),
                ["Settled"] = false,
            },
            DueWork d => new TableEntity(partition, $"{DueIndex(d.Kind)}{Time(d.DueAt)}|{TableKeys.Id(d.Id)}")
            {
                ["Id"] = d.Id,
                ["VictimId"] = d.VictimId,
                ["ServiceId"] = d.ServiceId,
            },
            ReferralIssued r => new TableEntity(partition, $"{ReferralId}{r.PublicId}")
            {
                ["VictimId"] = r.VictimId,
                ["ServiceId"] = r.ServiceId,
            },
            Referrals.Indexes.Delivered d => With(With(new TableEntity(partition, $"{Delivered}{TableKeys.Id(d.ServiceId)}|{TableKeys.Id(d.Id)}")
            {
                ["Id"] = d.Id,
                ["Kind"] = d.Kind.ToString(),
                ["VictimId"] = d.VictimId,
                ["ServiceId"] = d.ServiceId,
                ["DeliveredAt"] = d.DeliveredAt,
            }, "DueBy", d.DueBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), "OnTime", d.OnTime),
            _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.GetType().Name, "Not an index entry."),
        };
        row["CrimeReference"] = entry.CrimeReference;
        if (entry is DueWork { Settled: { } settled })
        {
            // Only the side that knows writes it: a victim's state asks for a referral, its delivery settles it.
            row["Settled"] = settled;
        }

        if (entry is DueWork { Delivery: { } delivery })
        {
            row[DeliveryStatusColumn] = delivery.ToString();
        }

        return row;
    }
}
