using Referrals.Calendar;
using Referrals.Pipeline.Tasks;
using Referrals.Tasks;

namespace Referrals.Pipeline.Worklist;

/// <summary>
/// The worklist's reads and writes: a view's tasks from the task index (the open partitions only: today's one partition,
/// or the range of due days up to today, never a table scan), each shown as <see cref="TaskDesk.ShowAsync"/> shows it;
/// and an operator's action through <see cref="TaskDesk"/>, the same path and audit entries as `referrals tasks`.
/// </summary>
public sealed class WorklistTasks(TaskIndex index, TaskDesk desk, WorkingDayCalendar calendar, TimeProvider time)
{
    /// <summary>The most tasks one page shows (each is one read of its victim's row and snapshot); the page says how many more there are.</summary>
    public const int MaxShown = 100;

    public DateTimeOffset Now => time.GetUtcNow();

    public WorkingDay Today => WorklistRule.DayOf(time.GetUtcNow(), calendar);

    public async Task<(IReadOnlyList<TaskView> Shown, int More)> ListAsync(WorklistView view, TaskKind? kind, string operatorName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = view switch
        {
            WorklistView.Today => index.DueOnAsync(London.DateOf(now), cancellationToken),
            WorklistView.Overdue => index.OverdueAsync(now, cancellationToken),
            _ => index.OpenAsync(cancellationToken),
        };
        var matching = await rows.Select(r => r.ToTask()).Where(t => WorklistRule.Shows(view, t, kind, operatorName, now))
            .OrderBy(t => t.DueAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToListAsync(cancellationToken);
        var shown = new List<TaskView>();
        foreach (var task in matching.Take(MaxShown))
        {
            // The victim's row is the truth (the index may lag it by a moment): shown only if it still belongs in the view.
            if (await desk.ShowAsync(task.Id, cancellationToken) is { } shownTask && WorklistRule.Shows(view, shownTask.Task, kind, operatorName, now))
            {
                shown.Add(shownTask);
            }
        }

        return (shown, Math.Max(0, matching.Count - MaxShown));
    }

    public Task<TaskActionResult> ActAsync(WorklistAction action, string taskId, TaskOutcome? outcome, string operatorName, CancellationToken cancellationToken) => action switch
    {
        WorklistAction.Claim => desk.ClaimAsync(taskId, operatorName, cancellationToken),
        WorklistAction.Release => desk.ReleaseAsync(taskId, operatorName, cancellationToken),
        _ => desk.CloseAsync(taskId, outcome ?? throw new ArgumentNullException(nameof(outcome)), operatorName, cancellationToken),
    };
}
