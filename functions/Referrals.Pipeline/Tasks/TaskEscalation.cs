using Microsoft.Extensions.Logging;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Tasks;

/// <summary>What an overdue sweep found: tasks overdue now, those it counted for the first time, and index rows it repaired.</summary>
public sealed record EscalationCounts(int Overdue, int Escalated, int Repaired);

/// <summary>
/// The overdue sweep (rulebook 1.2 section 10: an open or claimed task past its due time escalates). It reads only the
/// index's open partitions up to today, checks each overdue task against its victim's row, and counts it on the metric
/// <see cref="PipelineMetrics.TasksOverdue"/> once per task (the index row records it, ETag-checked, so two sweeps at once
/// count it once); the alert on that metric tells the Unit's managers. A row the victim's row contradicts is repaired.
/// </summary>
public sealed partial class TaskEscalation(TaskIndex index, VictimStateStore states, PipelineMetrics metrics, LogIds ids, TimeProvider time, ILogger<TaskEscalation> logger)
{
    public async Task<EscalationCounts> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var counts = new EscalationCounts(0, 0, 0);
        await foreach (var row in index.OverdueAsync(now, cancellationToken))
        {
            var victim = await states.LoadVictimAsync(row.CrimeReference, row.VictimId, cancellationToken);
            var task = victim?.State.Tasks.Find(row.RowKey);
            if (task is null || !task.IsOverdue(now))
            {
                // The victim's row says otherwise (closed or withdrawn since the index was written, or gone).
                await index.SyncAsync(task ?? row.ToTask() with { State = Referrals.Tasks.TaskState.Withdrawn }, victim?.State ?? Orphan(row), cancellationToken);
                counts = counts with { Repaired = counts.Repaired + 1 };
                continue;
            }

            counts = counts with { Overdue = counts.Overdue + 1 };
            if (row.EscalatedAt is null && await index.TryEscalateAsync(row, now, cancellationToken))
            {
                metrics.Count("task", $"{task.Kind}:overdue");
                LogOverdue(logger, task.Id, task.Kind.ToString(), ids.Reference(row.CrimeReference), task.DueAt!.Value);
                counts = counts with { Escalated = counts.Escalated + 1 };
            }
        }

        metrics.OverdueTasks(counts.Overdue);
        return counts;
    }

    /// <summary>The least state that lets a stale row of a victim whose row is gone be removed from the open partitions.</summary>
    private static State.VictimState Orphan(TaskIndexEntity row) => new(
        row.CrimeReference, row.VictimId, 0, 0, default, default, default, [], [], false, false, false, default,
        [], System.Collections.Immutable.ImmutableSortedDictionary.Create<string, Referrals.Tallies.Month>(StringComparer.Ordinal),
        row.RaisedAt, State.ContactState.None);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Victim Care Unit task {TaskId} ({Kind}) for crime {CrimeReference} is overdue: it was due {DueAt:o}")]
    private static partial void LogOverdue(ILogger logger, string taskId, string kind, string crimeReference, DateTimeOffset dueAt);
}
