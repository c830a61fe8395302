using Referrals.Calendar;

namespace Referrals.Tasks;

/// <summary>Which tasks the worklist page lists: the Unit's four views (docs/worklist.md, "The worklist page").</summary>
public enum WorklistView
{
    /// <summary>Every open or claimed task that is work now (the default).</summary>
    Open,

    /// <summary>Open or claimed tasks due today (Europe/London).</summary>
    Today,

    /// <summary>Open or claimed tasks past their due time.</summary>
    Overdue,

    /// <summary>The tasks the signed-in operator claimed.</summary>
    Mine,
}

/// <summary>What an operator can do to a task from the worklist page (each a plain HTML form).</summary>
public enum WorklistAction
{
    Claim,
    Release,
    Close,
}

/// <summary>The day the page shows: Europe/London, and whether the Unit's calendar counts it as a working day.</summary>
public sealed record WorkingDay(DateOnly Date, bool IsWorkingDay);

/// <summary>
/// The worklist page's rules as pure functions: which view and kind a request asks for (only the known names, anything
/// else refused), which tasks a view shows, and which actions a task offers the operator. The actions themselves are
/// <see cref="TaskRule"/>'s: a form offered here is still decided there, on the task as stored when it is posted.
/// </summary>
public static class WorklistRule
{
    /// <summary>The view a request names (<c>open</c>, <c>today</c>, <c>overdue</c>, <c>mine</c>; none: open); null when it names another.</summary>
    public static WorklistView? ViewOf(string? name) => name switch
    {
        null or "" or "open" => WorklistView.Open,
        "today" => WorklistView.Today,
        "overdue" => WorklistView.Overdue,
        "mine" => WorklistView.Mine,
        _ => null,
    };

    /// <summary>The name of a view in a URL.</summary>
    public static string NameOf(WorklistView view) => view.ToString().ToLowerInvariant();

    /// <summary>The kind a request names (exactly a kind's name; none: every kind). False when it names something else.</summary>
    public static bool TryKindOf(string? name, out TaskKind? kind)
    {
        kind = null;
        if (string.IsNullOrEmpty(name))
        {
            return true;
        }

        kind = Named<TaskKind>(name);
        return kind is not null;
    }

    /// <summary>The action a form posts (exactly <c>claim</c>, <c>release</c> or <c>close</c>); null otherwise.</summary>
    public static WorklistAction? ActionOf(string? name) => name switch
    {
        "claim" => WorklistAction.Claim,
        "release" => WorklistAction.Release,
        "close" => WorklistAction.Close,
        _ => null,
    };

    /// <summary>The outcome a close form posts: exactly an outcome's name; null otherwise.</summary>
    public static TaskOutcome? OutcomeOf(string? name) => Named<TaskOutcome>(name);

    /// <summary>The value whose name is exactly <paramref name="name"/> (ordinal: never a number, another case or a list of names); null otherwise.</summary>
    private static T? Named<T>(string? name)
        where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => (T?)v).FirstOrDefault(v => string.Equals(v.ToString(), name, StringComparison.Ordinal));

    /// <summary>Whether a view shows a task (one of the open partitions' rows): open or claimed work, of the kind asked for.</summary>
    public static bool Shows(WorklistView view, VcuTask task, TaskKind? kind, string operatorName, DateTimeOffset now) =>
        task is { IsOpen: true, Actionable: true }
        && (kind is null || task.Kind == kind)
        && view switch
        {
            WorklistView.Today => London.DateOf(task.DueAt!.Value) == London.DateOf(now),
            WorklistView.Overdue => task.IsOverdue(now),
            WorklistView.Mine => task.State == TaskState.Claimed && string.Equals(task.ClaimedBy, operatorName, StringComparison.Ordinal),
            _ => true,
        };

    /// <summary>
    /// The forms a task offers the operator: claim an open task; release and close one they claimed; close an open one.
    /// A task someone else claimed offers nothing (theirs to release or close); nor does one that is not work (held).
    /// </summary>
    public static IReadOnlyList<WorklistAction> Offered(VcuTask task, string operatorName) => task switch
    {
        { IsOpen: false } or { Actionable: false } => [],
        { State: TaskState.Open } => [WorklistAction.Claim, WorklistAction.Close],
        _ when string.Equals(task.ClaimedBy, operatorName, StringComparison.Ordinal) => [WorklistAction.Release, WorklistAction.Close],
        _ => [],
    };

    /// <summary>Today, Europe/London, and whether it is a working day (section 7's calendar).</summary>
    public static WorkingDay DayOf(DateTimeOffset now, WorkingDayCalendar calendar)
    {
        var today = London.DateOf(now);
        return new(today, calendar.IsWorkingDay(today));
    }
}
