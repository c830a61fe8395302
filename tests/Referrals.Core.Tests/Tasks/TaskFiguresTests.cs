using Referrals.Calendar;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tasks;

/// <summary>Rulebook 1.2 section 12's task figures, recounted from the tasks' states: raised, done by outcome, withdrawn, overdue, working days to done.</summary>
public class TaskFiguresTests
{
    private static DateTimeOffset At(int day, int hour) => London.At(new DateOnly(2026, 10, day), new TimeOnly(hour, 0));

    private static VcuTask Task(TaskKind kind, TaskState state, DateTimeOffset raised, TaskOutcome? outcome = null, DateTimeOffset? closed = null, TaskWithdrawal? withdrawn = null) =>
        new($"T2610-0000-{raised.Hour:00}{raised.Day:00}", kind, null, state, raised, TaskDue.At(kind, raised, new DateOnly(2026, 10, 7), WorkingDays), raised, [], [],
            Outcome: outcome, ClosedAt: closed, WithdrawnBecause: withdrawn);

    [Fact]
    public void Figures_count_each_task_by_kind_state_outcome_lateness_and_working_days_to_done()
    {
        VcuTask[] tasks =
        [
            Task(TaskKind.ContactNeeded, TaskState.Done, At(5, 10), TaskOutcome.InformedInPerson, At(5, 15)),  // same day: 0, on time
            Task(TaskKind.ContactNeeded, TaskState.Done, At(5, 10), TaskOutcome.NotReached, At(8, 9)),          // 3 working days, late
            Task(TaskKind.ContactNeeded, TaskState.Withdrawn, At(5, 10), closed: At(6, 9), withdrawn: TaskWithdrawal.Informed),
            Task(TaskKind.ContactNeeded, TaskState.Open, At(5, 10)),                                           // overdue now
            Task(TaskKind.ConsentRequest, TaskState.Open, At(9, 10)),                                          // not yet due
        ];
        var figures = TaskFigures.Count(tasks, At(9, 12), WorkingDays);

        Assert.Equal(4, figures[TaskFigures.Raised(TaskKind.ContactNeeded)]);
        Assert.Equal(2, figures[TaskFigures.Done(TaskKind.ContactNeeded)]);
        Assert.Equal(1, figures[TaskFigures.Done(TaskKind.ContactNeeded, TaskOutcome.InformedInPerson)]);
        Assert.Equal(1, figures[TaskFigures.Done(TaskKind.ContactNeeded, TaskOutcome.NotReached)]);
        Assert.Equal(1, figures[TaskFigures.Withdrawn(TaskKind.ContactNeeded)]);
        Assert.Equal(2, figures[TaskFigures.Overdue(TaskKind.ContactNeeded)]);
        Assert.Equal(1, figures[TaskFigures.DoneAfter(TaskKind.ContactNeeded, 0)]);
        Assert.Equal(1, figures[TaskFigures.DoneAfter(TaskKind.ContactNeeded, 3)]);
        Assert.Equal(1, figures[TaskFigures.Raised(TaskKind.ConsentRequest)]);
        Assert.False(figures.ContainsKey(TaskFigures.Overdue(TaskKind.ConsentRequest)));
    }

    [Fact]
    public void The_report_gives_the_median_working_days_to_done_per_kind()
    {
        var month = new Month(2026, 10);
        var categories = TallyCategories.For(Services);
        var counts = new Dictionary<string, long>
        {
            [TaskFigures.DoneAfter(TaskKind.ContactNeeded, 0)] = 1,
            [TaskFigures.DoneAfter(TaskKind.ContactNeeded, 3)] = 2,
        };
        var report = new TallyReport(new MonthRange(month, month), categories, new Dictionary<Month, IReadOnlyDictionary<string, long>> { [month] = counts });
        Assert.Equal("3", report.ShowMedian(TaskFigures.DoneAfter(TaskKind.ContactNeeded), month));
        Assert.Equal("–", report.ShowMedian(TaskFigures.DoneAfter(TaskKind.ConsentRequest), month));
        Assert.Contains("Median working days to done, ContactNeeded", report.ToText(), StringComparison.Ordinal);
        var json = System.Text.Json.JsonDocument.Parse(report.ToJson()).RootElement;
        Assert.Equal(3, json.GetProperty("months")[0].GetProperty(TallyReport.TaskMedianKey).GetProperty("ContactNeeded").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty(TallyReport.TotalTaskMedianKey).GetProperty("ConsentRequest").ValueKind);
    }
}
