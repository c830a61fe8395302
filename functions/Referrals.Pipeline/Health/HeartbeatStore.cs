using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Health;

/// <summary>A row of the Heartbeats table: one per timer, and one for the records system. Times and counts only.</summary>
public sealed class HeartbeatEntity : ITableEntity
{
    public string PartitionKey { get; set; } = HeartbeatStore.Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>When the health endpoint first watched this row (the reference before any run or snapshot).</summary>
    public DateTimeOffset? WatchedSince { get; set; }

    /// <summary>A timer: when its last run began.</summary>
    public DateTimeOffset? LastRunAt { get; set; }

    /// <summary>A timer: when its last successful run ended.</summary>
    public DateTimeOffset? LastCompletedAt { get; set; }

    /// <summary>A timer: "succeeded" or "failed (ExceptionType)".</summary>
    public string? LastOutcome { get; set; }

    /// <summary>A timer: what its last successful run did, in counts.</summary>
    public string? LastSummary { get; set; }

    /// <summary>The records system: when a snapshot was last taken from the crime-events queue (to within a minute).</summary>
    public DateTimeOffset? LastSnapshotAt { get; set; }

    /// <summary>A timer: the NCRONTAB schedule it ran with (issue 29: `referrals status` judges it without the app's settings).</summary>
    public string? Schedule { get; set; }

    /// <summary>Outbound sending: whether <c>Outbound__Paused</c> was true when the app last said (the deadline watch, each run).</summary>
    public bool? OutboundPaused { get; set; }

    /// <summary>Outbound sending: when the app last said.</summary>
    public DateTimeOffset? ReportedAt { get; set; }
}

/// <summary>
/// The heartbeats: one small partition, so the health endpoint reads all of it in one query. Writes merge only the
/// columns they set, so a timer's run never undoes the row's <see cref="HeartbeatEntity.WatchedSince"/>.
/// </summary>
public sealed class HeartbeatStore(StorageClients clients, IOptions<PipelineOptions> options)
{
    public const string Partition = "health";
    public const string RecordsSystemRow = "records-system";
    public const string OutboundRow = "outbound";

    public static string TimerRow(string function) => $"timer-{function}";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.HeartbeatTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    public Task RecordRunAsync(string function, DateTimeOffset ranAt, string outcome, DateTimeOffset? completedAt, string? summary, CancellationToken cancellationToken, string? schedule = null)
    {
        var row = new TableEntity(Partition, TimerRow(function))
        {
            [nameof(HeartbeatEntity.LastRunAt)] = ranAt,
            [nameof(HeartbeatEntity.LastOutcome)] = outcome,
        };
        if (schedule is not null)
        {
            row[nameof(HeartbeatEntity.Schedule)] = schedule;
        }

        if (completedAt is { } completed)
        {
            row[nameof(HeartbeatEntity.LastCompletedAt)] = completed;
            row[nameof(HeartbeatEntity.LastSummary)] = summary ?? string.Empty;
        }

        return Table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken);
    }

    public Task RecordSnapshotAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(Partition, RecordsSystemRow) { [nameof(HeartbeatEntity.LastSnapshotAt)] = at }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Whether outbound sending is paused, as the app says it now (its settings are not in storage).</summary>
    public Task RecordOutboundAsync(bool paused, DateTimeOffset at, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(Partition, OutboundRow) { [nameof(HeartbeatEntity.OutboundPaused)] = paused, [nameof(HeartbeatEntity.ReportedAt)] = at }, TableUpdateMode.Merge, cancellationToken);

    public async Task<Dictionary<string, HeartbeatEntity>> ReadAsync(CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, HeartbeatEntity>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<HeartbeatEntity>(r => r.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            rows[row.RowKey] = row;
        }

        return rows;
    }

    /// <summary>Starts watching rows not seen before: each gets <see cref="HeartbeatEntity.WatchedSince"/> once (a row already there is left alone).</summary>
    public async Task WatchAsync(IEnumerable<string> rowKeys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var rowKey in rowKeys)
        {
            try
            {
                await Table.AddEntityAsync(new TableEntity(Partition, rowKey) { [nameof(HeartbeatEntity.WatchedSince)] = now }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another request started watching it first.
            }
        }
    }
}
