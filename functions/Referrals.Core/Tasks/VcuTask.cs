using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Referrals.Tasks;

/// <summary>One line of a task's history: what happened, when, and which operator did it (null: the pipeline).</summary>
public sealed record TaskEvent(DateTimeOffset At, string What, string? Operator = null);

/// <summary>
/// One Victim Care Unit task (rulebook 1.2 section 10). It holds no personal data: ids, codes, times and operator names;
/// the victim's name and safe contacts are read from the crime's latest snapshot when the task is shown or sent.
/// </summary>
/// <param name="Id">Opaque (<see cref="TaskIds"/>): never a crime reference or a victim id.</param>
/// <param name="ServiceId">The referral's service, for a ServiceCouldNotContact task; null otherwise.</param>
/// <param name="DueAt">17:00 Europe/London on the due working day; null while the task is not actionable (raised during a hold).</param>
/// <param name="ActionableFrom">When the task became work: when it was raised, or when the hold it was raised under was lifted.</param>
/// <param name="Reasons">Why it was raised, as codes (which channels were unsafe or failed and why; what the service reported).</param>
/// <param name="EpisodeOver">Done, and its condition has since stopped holding: a new task is raised when it holds again.</param>
public sealed record VcuTask(
    string Id,
    TaskKind Kind,
    string? ServiceId,
    TaskState State,
    DateTimeOffset RaisedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? ActionableFrom,
    ImmutableList<string> Reasons,
    ImmutableList<TaskEvent> History,
    string? ClaimedBy = null,
    TaskOutcome? Outcome = null,
    TaskWithdrawal? WithdrawnBecause = null,
    DateTimeOffset? ClosedAt = null,
    string? ClosedBy = null,
    bool EpisodeOver = false)
{
    [JsonIgnore]
    public bool IsOpen => State is TaskState.Open or TaskState.Claimed;

    /// <summary>Work for the Unit: not raised during a hold that is still in place.</summary>
    [JsonIgnore]
    public bool Actionable => DueAt is not null;

    /// <summary>Open or claimed past its due time (rulebook section 10): shown and counted as overdue, and it escalates.</summary>
    public bool IsOverdue(DateTimeOffset now) => IsOpen && DueAt is { } due && now > due;

    /// <summary>Past its due time while open or claimed, now or before it was closed: the "overdue" figure.</summary>
    public bool WasOverdue(DateTimeOffset now) => DueAt is { } due && (ClosedAt ?? now) > due;

    public bool Equals(VcuTask? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && ServiceId == other.ServiceId && State == other.State && RaisedAt == other.RaisedAt
        && DueAt == other.DueAt && ActionableFrom == other.ActionableFrom && Reasons.SequenceEqual(other.Reasons) && History.SequenceEqual(other.History)
        && ClaimedBy == other.ClaimedBy && Outcome == other.Outcome && WithdrawnBecause == other.WithdrawnBecause && ClosedAt == other.ClosedAt
        && ClosedBy == other.ClosedBy && EpisodeOver == other.EpisodeOver;

    public override int GetHashCode() => HashCode.Combine(Id, State, DueAt, ClaimedBy, Outcome, WithdrawnBecause, History.Count);
}

/// <summary>
/// A victim's Victim Care Unit tasks, oldest first, and why none may be raised now (<paramref name="Closed"/>: the victim
/// is not in the crime's latest snapshot, or was erased or purged).
/// </summary>
public sealed record TaskBook(ImmutableList<VcuTask> Tasks, TaskWithdrawal? Closed = null)
{
    public static readonly TaskBook Empty = new([]);

    public VcuTask? Find(string id) => Tasks.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase));

    [JsonIgnore]
    public IEnumerable<VcuTask> Open => Tasks.Where(t => t.IsOpen);

    public TaskBook With(VcuTask task) =>
        this with { Tasks = Tasks.FindIndex(t => t.Id == task.Id) is var i and >= 0 ? Tasks.SetItem(i, task) : Tasks.Add(task) };

    public bool Equals(TaskBook? other) => other is not null && Closed == other.Closed && Tasks.SequenceEqual(other.Tasks);

    public override int GetHashCode() => HashCode.Combine(Tasks.Count, Closed);
}
