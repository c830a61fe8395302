using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tasks;

/// <summary>
/// A row of the task index (table VictimCareTasks): a copy of a task's state, with where its victim's row is. Each task
/// has one in the partition of the month it was raised (<c>raised|yyyy-MM</c>, every task, whatever its state), and one
/// in the partition of its due day (<c>open|yyyy-MM-dd</c>, Europe/London) while it is open or claimed and actionable.
/// Row key: the task's id. Ids, codes, times and operator names only: no personal data.
/// </summary>
public sealed class TaskIndexEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public TaskKind Kind { get; set; }

    public TaskState State { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public string VictimId { get; set; } = string.Empty;

    /// <summary>The referral's service, for a ServiceCouldNotContact task.</summary>
    public string? ServiceId { get; set; }

    public DateTimeOffset RaisedAt { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public DateTimeOffset? ActionableFrom { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The operator who claimed the task; empty when nobody has (so a merge clears it).</summary>
    public string ClaimedBy { get; set; } = string.Empty;

    public TaskOutcome? Outcome { get; set; }

    public TaskWithdrawal? WithdrawnBecause { get; set; }

    /// <summary>The crime is held (HoldContact) now.</summary>
    public bool Held { get; set; }

    /// <summary>When the overdue sweep counted the task as overdue (once per task); written by the sweep alone.</summary>
    public DateTimeOffset? EscalatedAt { get; set; }

    /// <summary>The task as the index holds it (no reasons or history: those are on the victim's row).</summary>
    public VcuTask ToTask() => new(RowKey, Kind, ServiceId, State, RaisedAt, DueAt, ActionableFrom, [], [], ClaimedBy is { Length: > 0 } claimedBy ? claimedBy : null, Outcome, WithdrawnBecause, ClosedAt);
}

/// <summary>
/// The task index: partition-bounded queries for the Unit's work (open tasks by due day, overdue ones, one month's tasks)
/// and the task figures, never a table scan. Written after the victim's row commits (a task's own state is on that row,
/// in the victim's transaction), from the change, idempotently: a redelivery writes it again, and every operator command
/// and the overdue sweep repair the rows of the task they touch. Issue 24's outbox would record these writes in the
/// victim's transaction and apply them from there (<see cref="SyncAsync"/> is the one place that writes them).
/// </summary>
public sealed class TaskIndex(StorageClients clients, IOptions<PipelineOptions> options)
{
    public const string RaisedPrefix = "raised|";
    public const string OpenPrefix = "open|";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.TaskTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    public static string RaisedPartition(string month) => RaisedPrefix + month;

    public static string OpenPartition(DateOnly day) => OpenPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Writes the index rows of every task the change raised or changed (all of them without a previous state).</summary>
    public async Task SyncAsync(VictimState? previous, VictimState next, CancellationToken cancellationToken)
    {
        foreach (var task in next.Tasks.Tasks)
        {
            var before = previous?.Tasks.Find(task.Id);
            if (before is null || !before.Equals(task) || (task.IsOpen && previous!.Contact.Held != next.Contact.Held))
            {
                await SyncAsync(task, next, cancellationToken);
            }
        }
    }

    /// <summary>One task's rows, as its victim's state has it.</summary>
    public async Task SyncAsync(VcuTask task, VictimState victim, CancellationToken cancellationToken)
    {
        var row = Row(task, victim);
        await UpsertAsync(row, RaisedPartition(Referrals.Tallies.Month.Of(task.RaisedAt).ToString()), cancellationToken);
        if (task.DueAt is { } due)
        {
            var open = OpenPartition(Calendar.London.DateOf(due));
            if (task is { IsOpen: true })
            {
                await UpsertAsync(row, open, cancellationToken);
            }
            else
            {
                await DeleteAsync(open, task.Id, cancellationToken);
            }
        }
    }

    /// <summary>A task's row in the month it was raised (which its id names); null when there is none.</summary>
    public async Task<TaskIndexEntity?> FindAsync(string taskId, CancellationToken cancellationToken)
    {
        if (TaskIds.MonthOf(taskId) is not { } month)
        {
            return null;
        }

        try
        {
            var row = await Table.GetEntityIfExistsAsync<TaskIndexEntity>(RaisedPartition(month), taskId, cancellationToken: cancellationToken);
            return row.HasValue ? row.Value : null;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            return null;
        }
    }

    /// <summary>Every open or claimed actionable task, by due time: the open partitions only.</summary>
    public IAsyncEnumerable<TaskIndexEntity> OpenAsync(CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey ge '{OpenPrefix}' and PartitionKey lt 'open}}'", cancellationToken);

    /// <summary>Open or claimed tasks due on one Europe/London day: one partition.</summary>
    public IAsyncEnumerable<TaskIndexEntity> DueOnAsync(DateOnly day, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey eq '{OpenPartition(day)}'", cancellationToken);

    /// <summary>Open or claimed tasks past their due time: the open partitions up to today.</summary>
    public IAsyncEnumerable<TaskIndexEntity> OverdueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey ge '{OpenPrefix}' and PartitionKey le '{OpenPartition(Calendar.London.DateOf(now))}'", cancellationToken).Where(r => r.DueAt < now);

    /// <summary>Every task raised in a month, whatever its state: one partition.</summary>
    public IAsyncEnumerable<TaskIndexEntity> RaisedInAsync(Referrals.Tallies.Month month, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey eq '{RaisedPartition(month.ToString())}'", cancellationToken);

    /// <summary>Marks an overdue task counted (ETag-checked on its open row): true for the one sweep that did.</summary>
    public async Task<bool> TryEscalateAsync(TaskIndexEntity open, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var mark = new TableEntity(open.PartitionKey, open.RowKey) { [nameof(TaskIndexEntity.EscalatedAt)] = now };
            await Table.UpdateEntityAsync(mark, open.ETag, TableUpdateMode.Merge, cancellationToken);
            await Table.UpsertEntityAsync(new TableEntity(RaisedPartition(Referrals.Tallies.Month.Of(open.RaisedAt).ToString()), open.RowKey) { [nameof(TaskIndexEntity.EscalatedAt)] = now }, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Deletes every index row of the given tasks (the end of the audit period: the crime is forgotten).</summary>
    public async Task ForgetAsync(IEnumerable<VcuTask> tasks, CancellationToken cancellationToken)
    {
        foreach (var task in tasks)
        {
            await DeleteAsync(RaisedPartition(Referrals.Tallies.Month.Of(task.RaisedAt).ToString()), task.Id, cancellationToken);
            if (task.DueAt is { } due)
            {
                await DeleteAsync(OpenPartition(Calendar.London.DateOf(due)), task.Id, cancellationToken);
            }
        }
    }

    private async IAsyncEnumerable<TaskIndexEntity> QueryAsync(string filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = Table.QueryAsync<TaskIndexEntity>(filter, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await rows.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
                {
                    yield break; // No task was ever raised on this storage.
                }

                yield return rows.Current;
            }
        }
        finally
        {
            await rows.DisposeAsync();
        }
    }

    // Merged, so the sweep's EscalatedAt (never in these rows: null values are not sent) survives every rewrite.
    private async Task UpsertAsync(TaskIndexEntity row, string partition, CancellationToken cancellationToken)
    {
        row.PartitionKey = partition;
        await Table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken);
    }

    private async Task DeleteAsync(string partition, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(partition, taskId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone (never written, or deleted by an earlier run).
        }
    }

    private static TaskIndexEntity Row(VcuTask task, VictimState victim) => new()
    {
        RowKey = task.Id,
        Kind = task.Kind,
        State = task.State,
        CrimeReference = victim.CrimeReference,
        VictimId = victim.VictimId,
        ServiceId = task.ServiceId,
        RaisedAt = task.RaisedAt,
        DueAt = task.DueAt,
        ActionableFrom = task.ActionableFrom,
        ClosedAt = task.ClosedAt,
        ClaimedBy = task.ClaimedBy ?? string.Empty,
        Outcome = task.Outcome,
        WithdrawnBecause = task.WithdrawnBecause,
        Held = victim.Contact.Held,
    };
}
