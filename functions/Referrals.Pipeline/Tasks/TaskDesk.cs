using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tasks;

/// <summary>How an operator's action on a task went.</summary>
public enum TaskActionOutcome
{
    Done,

    /// <summary>Refused by the rules (already done or withdrawn, claimed by someone else, not an outcome of its kind...): nothing changed.</summary>
    Refused,

    NotFound,
}

public sealed record TaskActionResult(TaskActionOutcome Outcome, string Message, VcuTask? Task = null);

/// <summary>A task as `referrals tasks show` prints it, with the victim it belongs to.</summary>
public sealed record TaskView(VcuTask Task, VictimState Victim, TaskDocument Document);

/// <summary>
/// The Victim Care Unit's desk (rulebook 1.2 section 10): show, claim, release and close a task. Each action loads the
/// victim's row, asks the core (<see cref="TaskRule"/>, <see cref="ConsentRule"/>), commits the row with its ETag and an
/// audit entry naming the operator, then hands on what the change asks for (a referral after Consented, a single-session
/// offer after Declined) and repairs the task's index rows. Two operators acting at once: one commits, the other's
/// ETag fails, its action is decided again on the new state and refused with the reason (optimistic concurrency).
/// </summary>
public sealed class TaskDesk(
    VictimStateStore states,
    TaskIndex index,
    IngestHandOff handOff,
    RulesData rules,
    TimeProvider time)
{
    private const int MaxAttempts = 5;

    public async Task<TaskView?> ShowAsync(string taskId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(taskId, cancellationToken) is not var (victim, task))
        {
            return null;
        }

        var snapshot = await states.SnapshotForAsync(victim, task.Id, cancellationToken);
        return new TaskView(task, victim.State, TaskDocument.For(task, victim.State, snapshot, time.GetUtcNow()));
    }

    public Task<TaskActionResult> ClaimAsync(string taskId, string operatorName, CancellationToken cancellationToken) =>
        ActAsync(taskId, operatorName, (task, now) => TaskRule.Claim(task, operatorName, now), null, cancellationToken);

    public Task<TaskActionResult> ReleaseAsync(string taskId, string operatorName, CancellationToken cancellationToken) =>
        ActAsync(taskId, operatorName, (task, now) => TaskRule.Release(task, operatorName, now), null, cancellationToken);

    public Task<TaskActionResult> CloseAsync(string taskId, TaskOutcome outcome, string operatorName, CancellationToken cancellationToken) =>
        ActAsync(taskId, operatorName, (task, now) => TaskRule.Close(task, outcome, operatorName, now), outcome, cancellationToken);

    private async Task<TaskActionResult> ActAsync(string taskId, string operatorName, Func<VcuTask, DateTimeOffset, TaskStep> act, TaskOutcome? outcome, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await LoadAsync(taskId, cancellationToken) is not var (victim, task))
            {
                return new(TaskActionOutcome.NotFound, $"no task {taskId}");
            }

            var now = time.GetUtcNow();
            var step = act(task, now);
            if (step.Next is not { } done)
            {
                // The index may lag the row, and an earlier action's hand-on may have failed: both are repaired here
                // (everything the victim's state asks for is handed on again; the receivers ignore repeats).
                await index.SyncAsync(task, victim.State, cancellationToken);
                await states.CountAgainAsync(victim.State, cancellationToken);
                if (victim.State.Tasks.Closed != TaskWithdrawal.Erased)
                {
                    await HandOnAsync(new VictimChange(null, victim.State, []), now, cancellationToken);
                }

                return new(TaskActionOutcome.Refused, step.Refusal!, task);
            }

            if (done.Equals(task))
            {
                return new(TaskActionOutcome.Done, $"task {task.Id} is already claimed by {task.ClaimedBy}", task);
            }

            var (next, refusal) = await ApplyAsync(victim, done, outcome, operatorName, now, cancellationToken);
            if (refusal is not null)
            {
                return new(TaskActionOutcome.Refused, refusal, task);
            }

            if (await TryCommitAsync(victim, next!, done, operatorName, now, cancellationToken))
            {
                await HandOnAsync(new VictimChange(victim.State, next!, []), now, cancellationToken);
                return new(TaskActionOutcome.Done, Said(done), done);
            }
        }

        return new(TaskActionOutcome.Refused, "the victim's record kept changing while this was recorded: nothing changed; try again");
    }

    /// <summary>The victim's state after the task's step: a decision about referral acts at once (section 3), an InformedInPerson is counted.</summary>
    private async Task<(VictimState? Next, string? Refusal)> ApplyAsync(Stored<VictimState> victim, VcuTask done, TaskOutcome? outcome, string operatorName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = TaskRule.WithStep(victim.State, done, now, rules.Rules.Calendar);
        if (outcome is { } recorded && ConsentRule.IsDecision(done, recorded))
        {
            var snapshot = await states.SnapshotForAsync(victim, done.Id, cancellationToken);
            if (snapshot?.Victims.FirstOrDefault(v => v.Id == victim.State.VictimId) is not { } person)
            {
                return (null, "the victim is not in the crime's latest snapshot (or their personal data was removed): the decision cannot be applied");
            }

            return (ConsentRule.Apply(next, done, recorded, operatorName, now, snapshot, person, rules.Rules).Next, null);
        }

        return (next, null);
    }

    /// <summary>The victim's row, ETag-checked, with the tally events and an audit entry naming the operator, in one transaction.</summary>
    private async Task<bool> TryCommitAsync(Stored<VictimState> victim, VictimState next, VcuTask done, string operatorName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = victim.State;
        List<string> facts = [.. AuditRule.OfTasks(before, next)];
        if (before.ReferralStatus != next.ReferralStatus)
        {
            facts.Add($"referral status: {before.ReferralStatus} → {next.ReferralStatus}");
            facts.Add($"services referred: {(next.ReferredServices.Count > 0 ? string.Join(", ", next.ReferredServices) : "none")}");
        }

        var audit = AuditRow.ForOperator(next.CrimeReference, AuditRule.OfOperator(next.VictimId, AuditAction.Task, now, operatorName, null, facts));
        return await states.TryReplaceByOperatorAsync(victim, next, audit, cancellationToken);
    }

    private async Task HandOnAsync(VictimChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await handOff.HandOnAsync([change], Month.Of(now), cancellationToken);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException)
        {
            throw new HandOnFailedException($"task {change.Next.Tasks.Tasks.LastOrDefault()?.Id} is recorded, but what it asks for could not be queued ({HandOnFailedException.Reason(ex)}); run the same command again to hand it on", ex);
        }
    }

    private async Task<(Stored<VictimState> Victim, VcuTask Task)?> LoadAsync(string taskId, CancellationToken cancellationToken)
    {
        if (await index.FindAsync(taskId, cancellationToken) is not { } row
            || await states.LoadVictimAsync(row.CrimeReference, row.VictimId, cancellationToken) is not { } victim
            || victim.State.Tasks.Find(taskId) is not { } task)
        {
            return null;
        }

        return (victim, task);
    }

    private static string Said(VcuTask task) => task.State switch
    {
        TaskState.Claimed => $"task {task.Id} claimed by {task.ClaimedBy}",
        TaskState.Open => $"task {task.Id} released: open for anyone",
        _ => $"task {task.Id} done: {task.Outcome}",
    };
}
