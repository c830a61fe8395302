using Referrals.Calendar;
using Referrals.Tasks;

namespace Referrals.Core.Tests.Tasks;

/// <summary>The worklist page's rules: the names a request may use, which tasks each view shows, and the forms a task offers.</summary>
public sealed class WorklistRuleTests
{
    /// <summary>Monday 5 October 2026, 10:00 Europe/London (09:00 UTC).</summary>
    private static readonly DateTimeOffset Monday = new(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);

    private static VcuTask Task(TaskState state = TaskState.Open, string? claimedBy = null, DateTimeOffset? due = null, TaskKind kind = TaskKind.ContactNeeded, bool actionable = true) =>
        new("T2610-0000-0001", kind, null, state, Monday, actionable ? due ?? London.At(new DateOnly(2026, 10, 5), TaskDue.EndOfDay) : null, actionable ? Monday : null, [], [], claimedBy);

    [Theory]
    [InlineData(null, WorklistView.Open)]
    [InlineData("", WorklistView.Open)]
    [InlineData("open", WorklistView.Open)]
    [InlineData("today", WorklistView.Today)]
    [InlineData("overdue", WorklistView.Overdue)]
    [InlineData("mine", WorklistView.Mine)]
    [InlineData("Today", null)]
    [InlineData("all", null)]
    [InlineData("<script>", null)]
    public void A_view_is_one_of_four_names_exactly(string? name, WorklistView? expected) => Assert.Equal(expected, WorklistRule.ViewOf(name));

    [Fact]
    public void Kinds_actions_and_outcomes_are_their_exact_names_and_nothing_else()
    {
        Assert.True(WorklistRule.TryKindOf(null, out var none));
        Assert.Null(none);
        Assert.True(WorklistRule.TryKindOf("ContactNeeded", out var kind));
        Assert.Equal(TaskKind.ContactNeeded, kind);
        Assert.False(WorklistRule.TryKindOf("contactneeded", out _));
        Assert.False(WorklistRule.TryKindOf("2", out _));
        Assert.Equal(WorklistAction.Close, WorklistRule.ActionOf("close"));
        Assert.Null(WorklistRule.ActionOf("delete"));
        Assert.Equal(TaskOutcome.NotReached, WorklistRule.OutcomeOf("NotReached"));
        Assert.Null(WorklistRule.OutcomeOf("3"));
        Assert.Null(WorklistRule.OutcomeOf(" NotReached"));
    }

    [Fact]
    public void Each_view_shows_open_work_due_today_overdue_or_claimed_by_the_operator_of_the_kind_asked_for()
    {
        var dueToday = Task();
        var dueTomorrow = Task(due: London.At(new DateOnly(2026, 10, 6), TaskDue.EndOfDay));
        var overdue = Task(due: Monday.AddHours(-1));
        var mine = Task(TaskState.Claimed, "A. Patel", dueTomorrow.DueAt);
        var theirs = Task(TaskState.Claimed, "B. Jones", dueTomorrow.DueAt);

        Assert.True(WorklistRule.Shows(WorklistView.Today, dueToday, null, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Today, dueTomorrow, null, "A. Patel", Monday));
        Assert.True(WorklistRule.Shows(WorklistView.Overdue, overdue, null, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Overdue, dueToday, null, "A. Patel", Monday));
        Assert.True(WorklistRule.Shows(WorklistView.Mine, mine, null, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Mine, theirs, null, "A. Patel", Monday));
        Assert.True(WorklistRule.Shows(WorklistView.Open, theirs, TaskKind.ContactNeeded, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Open, theirs, TaskKind.ConsentRequest, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Open, Task(TaskState.Done), null, "A. Patel", Monday));
        Assert.False(WorklistRule.Shows(WorklistView.Open, Task(actionable: false), null, "A. Patel", Monday));
    }

    [Fact]
    public void A_task_offers_claim_and_close_when_open_release_and_close_to_whoever_claimed_it_and_nothing_otherwise()
    {
        Assert.Equal([WorklistAction.Claim, WorklistAction.Close], WorklistRule.Offered(Task(), "A. Patel"));
        Assert.Equal([WorklistAction.Release, WorklistAction.Close], WorklistRule.Offered(Task(TaskState.Claimed, "A. Patel"), "A. Patel"));
        Assert.Empty(WorklistRule.Offered(Task(TaskState.Claimed, "B. Jones"), "A. Patel"));
        Assert.Empty(WorklistRule.Offered(Task(TaskState.Done), "A. Patel"));
        Assert.Empty(WorklistRule.Offered(Task(TaskState.Withdrawn), "A. Patel"));
        Assert.Empty(WorklistRule.Offered(Task(actionable: false), "A. Patel"));
    }

    [Fact]
    public void The_day_shown_is_Europe_London_s_and_says_whether_it_is_a_working_day()
    {
        var calendar = new WorkingDayCalendar();

        Assert.Equal(new WorkingDay(new DateOnly(2026, 10, 5), true), WorklistRule.DayOf(Monday, calendar));
        Assert.Equal(new WorkingDay(new DateOnly(2026, 12, 25), false), WorklistRule.DayOf(new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero), calendar));
        // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        Assert.Equal(new DateOnly(2026, 7, 1), WorklistRule.DayOf(new DateTimeOffset(2026, 6, 30, 23, 30, 0, TimeSpan.Zero), calendar).Date);
    }
}
