using System.Collections.Immutable;
using Referrals.Calendar;
using Referrals.Forwarding;
using Referrals.State;

namespace Referrals.Tasks;

/// <summary>An operator's action on a task: the task after it, or why it was refused (nothing changed).</summary>
public sealed record TaskStep(VcuTask? Next, string? Refusal)
{
    public static TaskStep Refuse(string why) => new(null, why);
}

/// <summary>
/// Rulebook 1.2 section 10 (and section 9 for holds) as pure functions: which tasks a victim's state raises, keeps and
/// withdraws; the due times; and what an operator may do to a task. At most one task of a kind is open per victim (per
/// referral for ServiceCouldNotContact); a new one, with a new id, is raised when its condition holds again after one was
/// withdrawn, or done and its condition stopped holding since. Done and withdrawn tasks never reopen.
/// </summary>
public static class TaskRule
{
    /// <summary>The victim's tasks after a change of state, for the conditions of <see cref="TaskConditions.Of"/>.</summary>
    /// <param name="newId">Ids for tasks raised now (default: random, <see cref="TaskIds.New"/>).</param>
    public static VictimState Reconcile(VictimState victim, DateTimeOffset now, WorkingDayCalendar calendar, Func<DateTimeOffset, string>? newId = null) =>
        Reconcile(victim, TaskConditions.Of(victim), now, calendar, newId);

    /// <summary>The victim's tasks after a change of state, for the conditions given (a service's report adds its own).</summary>
    public static VictimState Reconcile(VictimState victim, IReadOnlyList<TaskCondition> conditions, DateTimeOffset now, WorkingDayCalendar calendar, Func<DateTimeOffset, string>? newId = null)
    {
        var book = victim.Tasks;
        if (book.Closed is not null)
        {
            return victim; // Not in the crime's latest snapshot, or erased: nothing is raised for them.
        }

        var held = victim.Contact.Held;
        var kinds = victim.VcuTasks;
        foreach (var condition in conditions)
        {
            var latest = book.Tasks.LastOrDefault(t => t.Kind == condition.Kind && t.ServiceId == condition.ServiceId);
            if (latest is { IsOpen: true })
            {
                var kept = condition.Moot is { } moot ? Withdraw(latest, moot, now)
                    : !latest.Actionable && !held ? latest with { DueAt = TaskDue.At(latest.Kind, now, victim.ReferralDueBy, calendar), ActionableFrom = now, History = latest.History.Add(new(now, "Actionable: the hold (HoldContact) was lifted")) }
                    : condition.Holds && !latest.Reasons.SequenceEqual(condition.Reasons) ? latest with { Reasons = [.. condition.Reasons] }
                    : latest;
                book = book.With(kept);
            }
            else if (condition.Holds && condition.Moot is null && (latest is null || latest.State == TaskState.Withdrawn || latest.EpisodeOver))
            {
                book = book.With(Raise(condition, victim, now, held, calendar, newId ?? TaskIds.New));
                kinds = kinds.Add(TaskNotice.KindOf(condition.Kind));
            }
            else if (!condition.Holds && latest is { State: TaskState.Done, EpisodeOver: false })
            {
                book = book.With(latest with { EpisodeOver = true });
            }
        }

        return book.Equals(victim.Tasks) ? victim : victim with { TaskBook = book, VcuTasks = kinds };
    }

    /// <summary>Every open task withdrawn for <paramref name="reason"/>, and none raised until <see cref="Reopen"/> (erasure, purge, or the victim leaving the crime's latest snapshot).</summary>
    public static VictimState CloseBook(VictimState victim, TaskWithdrawal reason, DateTimeOffset now)
    {
        var book = victim.Tasks;
        foreach (var task in book.Open.ToList())
        {
            book = book.With(Withdraw(task, reason, now));
        }

        book = book with { Closed = book.Closed == TaskWithdrawal.Erased ? TaskWithdrawal.Erased : reason };
        return book.Equals(victim.Tasks) ? victim : victim with { TaskBook = book };
    }

    /// <summary>The victim is in the crime's latest snapshot again: tasks may be raised again (never after an erasure).</summary>
    public static VictimState Reopen(VictimState victim) =>
        victim.Tasks.Closed is TaskWithdrawal.NotInLatestSnapshot or TaskWithdrawal.Purged ? victim with { TaskBook = victim.Tasks with { Closed = null } } : victim;

    /// <summary>
    /// The victim's state after an operator's step on one of their tasks: the task replaced, and an InformedInPerson counted
    /// (the route InPerson, rulebook 1.2 section 12). A decision about referral then acts through <see cref="ConsentRule.Apply"/>.
    /// </summary>
    public static VictimState WithStep(VictimState victim, VcuTask next, DateTimeOffset now, WorkingDayCalendar calendar)
    {
        var after = victim with { TaskBook = victim.Tasks.With(next), UpdatedAt = now };
        return after with { Counted = TallyRule.ContactCounted(after, Tallies.Month.Of(now), calendar) };
    }

    public static VcuTask Withdraw(VcuTask task, TaskWithdrawal reason, DateTimeOffset now) => task.IsOpen
        ? task with { State = TaskState.Withdrawn, WithdrawnBecause = reason, ClosedAt = now, History = task.History.Add(new(now, $"Withdrawn: {reason}")) }
        : task;

    /// <summary>An operator takes the task: only an actionable task that is open, or already theirs.</summary>
    public static TaskStep Claim(VcuTask task, string operatorName, DateTimeOffset now) => task switch
    {
        { IsOpen: false } => TaskStep.Refuse(Closed(task)),
        { Actionable: false } => TaskStep.Refuse(NotActionable),
        { State: TaskState.Claimed } when task.ClaimedBy == operatorName => new(task, null),
        { State: TaskState.Claimed } => TaskStep.Refuse($"the task is claimed by {task.ClaimedBy}: they release it, or close it"),
        _ => new(task with { State = TaskState.Claimed, ClaimedBy = operatorName, History = task.History.Add(new(now, "Claimed", operatorName)) }, null),
    };

    /// <summary>The operator who claimed the task gives it back: open again, for anyone.</summary>
    public static TaskStep Release(VcuTask task, string operatorName, DateTimeOffset now) => task switch
    {
        { IsOpen: false } => TaskStep.Refuse(Closed(task)),
        { State: TaskState.Open } => TaskStep.Refuse("the task is not claimed: nothing to release"),
        _ when task.ClaimedBy != operatorName => TaskStep.Refuse($"the task is claimed by {task.ClaimedBy}: only they can release it"),
        _ => new(task with { State = TaskState.Open, ClaimedBy = null, History = task.History.Add(new(now, "Released", operatorName)) }, null),
    };

    /// <summary>The operator records an outcome of the task's kind: done, for good. A task claimed by someone else is theirs to close.</summary>
    public static TaskStep Close(VcuTask task, TaskOutcome outcome, string operatorName, DateTimeOffset now) => task switch
    {
        { IsOpen: false } => TaskStep.Refuse(Closed(task)),
        { Actionable: false } => TaskStep.Refuse(NotActionable),
        _ when !TaskOutcomes.Allows(task.Kind, outcome) => TaskStep.Refuse($"{outcome} is not an outcome of a {task.Kind} task: use {string.Join(", ", TaskOutcomes.For(task.Kind))}"),
        { State: TaskState.Claimed } when task.ClaimedBy != operatorName => TaskStep.Refuse($"the task is claimed by {task.ClaimedBy}: they close it, or release it first"),
        _ => new(task with
        {
            State = TaskState.Done,
            Outcome = outcome,
            ClaimedBy = task.ClaimedBy ?? operatorName,
            ClosedAt = now,
            ClosedBy = operatorName,
            History = task.History.Add(new(now, $"Done: {outcome}", operatorName)),
        }, null),
    };

    private const string NotActionable = "the task was raised while the crime is held (HoldContact): it becomes work when the hold is lifted";

    private static string Closed(VcuTask task) => task.State == TaskState.Done
        ? $"the task is already done ({task.Outcome}, by {task.ClosedBy}): done tasks never reopen"
        : $"the task was withdrawn ({task.WithdrawnBecause}): withdrawn tasks never reopen";

    private static VcuTask Raise(TaskCondition condition, VictimState victim, DateTimeOffset now, bool held, WorkingDayCalendar calendar, Func<DateTimeOffset, string> newId) =>
        new(newId(now), condition.Kind, condition.ServiceId, TaskState.Open, now,
            held ? null : TaskDue.At(condition.Kind, now, victim.ReferralDueBy, calendar),
            held ? null : now,
            [.. condition.Reasons],
            [new TaskEvent(now, held ? "Raised while the crime is held (HoldContact): not work until the hold is lifted" : "Raised")]);
}
