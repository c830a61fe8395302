using Referrals.Calendar;
using Referrals.Tallies;

namespace Referrals.Tasks;

/// <summary>
/// The task figures of rulebook 1.2 section 12, per kind and month raised: recounted from the tasks' current states each
/// time, never accumulated from events. Raised; done (in all and by outcome); withdrawn; overdue (open or claimed past the
/// due time now, or closed after it); and the working days from the day a task counted from to the day it was done, in
/// buckets of 0 to 5 and 6 or more, whose median is the median working days to done.
/// </summary>
public static class TaskFigures
{
    public const string Prefix = "Tasks.";

    public static string Raised(TaskKind kind) => $"{Prefix}{kind}.Raised";

    public static string Done(TaskKind kind) => $"{Prefix}{kind}.Done";

    public static string Done(TaskKind kind, TaskOutcome outcome) => $"{Prefix}{kind}.Done.{outcome}";

    public static string Withdrawn(TaskKind kind) => $"{Prefix}{kind}.Withdrawn";

    public static string Overdue(TaskKind kind) => $"{Prefix}{kind}.Overdue";

    /// <summary>The bucket of a task done <paramref name="workingDays"/> working days after the day it counted from: <c>.0</c> to <c>.5</c>, then <c>.6+</c>.</summary>
    public static string DoneAfter(TaskKind kind, int workingDays) =>
        $"{Prefix}{kind}.DoneAfterWorkingDays.{(workingDays >= TallyCategories.InformedAfterOpenBucket ? $"{TallyCategories.InformedAfterOpenBucket}+" : Math.Max(0, workingDays))}";

    /// <summary>Every bucket of a kind's working days to done, in order.</summary>
    public static IReadOnlyList<string> DoneAfter(TaskKind kind) =>
        [.. Enumerable.Range(0, TallyCategories.InformedAfterOpenBucket + 1).Select(d => DoneAfter(kind, d))];

    /// <summary>The figures of the tasks raised in one month, as they stand at <paramref name="now"/>.</summary>
    public static Dictionary<string, long> Count(IEnumerable<VcuTask> tasks, DateTimeOffset now, WorkingDayCalendar calendar)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
        foreach (var task in tasks)
        {
            Add(Raised(task.Kind));
            if (task is { State: TaskState.Done, Outcome: { } outcome })
            {
                Add(Done(task.Kind));
                Add(Done(task.Kind, outcome));
                Add(DoneAfter(task.Kind, TaskDue.WorkingDaysToDone(task, calendar, TallyCategories.InformedAfterOpenBucket)));
            }
            else if (task.State == TaskState.Withdrawn)
            {
                Add(Withdrawn(task.Kind));
            }

            if (task.WasOverdue(now))
            {
                Add(Overdue(task.Kind));
            }
        }

        return counts;
    }

    /// <summary>The categories of the task figures, a group of counts and a group of working days to done per kind.</summary>
    public static IEnumerable<TallyCategory> Categories()
    {
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            var group = $"{TallyGroups.Tasks}: {kind}";
            yield return new(Raised(kind), $"{kind}: Raised", $"{kind} tasks raised for the Victim Care Unit in the month (rulebook section 10), whatever became of them.", group);
            yield return new(Done(kind), $"{kind}: Done", $"{kind} tasks raised in the month that the Unit has closed with an outcome.", group);
            foreach (var outcome in TaskOutcomes.For(kind))
            {
                yield return new(Done(kind, outcome), $"{kind}: {outcome}", $"{kind} tasks raised in the month closed with the outcome {outcome}.", group);
            }

            yield return new(Withdrawn(kind), $"{kind}: Withdrawn", $"{kind} tasks raised in the month that became moot and were withdrawn (the Unit was told).", group);
            yield return new(Overdue(kind), $"{kind}: Overdue", $"{kind} tasks raised in the month that were open or claimed past their due time (17:00 on the due working day, Europe/London): still open, or closed late.", group);
            foreach (var (key, days) in DoneAfter(kind).Select((k, d) => (k, d)))
            {
                var after = days == TallyCategories.InformedAfterOpenBucket ? $"{days} or More Working Days" : $"{days} Working Day{(days == 1 ? string.Empty : "s")}";
                yield return new(key, $"{kind}: Done After {after}", $"{kind} tasks raised in the month and done {after.ToLowerInvariant()} after the day they counted from (the day raised, or the next working day after a weekend, a bank holiday or 17:00; the day a hold was lifted).", $"{group}, working days to done");
            }
        }
    }

    /// <summary>The relations small-count suppression must respect: each kind's done tasks are the sum of its outcomes, and of its buckets.</summary>
    public static IEnumerable<TallySum> Sums() => Enum.GetValues<TaskKind>().SelectMany(kind => new[]
    {
        new TallySum(Done(kind), [.. TaskOutcomes.For(kind).Select(o => Done(kind, o))]),
        new TallySum(Done(kind), DoneAfter(kind)),
    });
}
