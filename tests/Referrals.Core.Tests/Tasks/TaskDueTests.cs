using Referrals.Calendar;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tasks;

/// <summary>
/// Rulebook 1.2 section 10's due times, row by row: 17:00 Europe/London on the Nth working day after the day the task
/// was raised (counting from the next working day after a non-working day or 17:00), a ConsentRequest no sooner than
/// 17:00 on the referral deadline, and a task raised during a hold counted from when it lifts (section 9).
/// </summary>
public class TaskDueTests
{
    /// <summary>London wall-clock time as an instant (October 2026 is BST until Sunday 25 October).</summary>
    private static DateTimeOffset At(int year, int month, int day, int hour, int minute = 0) => London.At(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    /// <summary>The referral deadline of a crime recorded Monday 5 October 2026 (section 7): Wednesday 7 October.</summary>
    private static readonly DateOnly Deadline = new(2026, 10, 7);

    [Theory]
    [InlineData(TaskKind.ContactNeeded, 1)]
    [InlineData(TaskKind.ServiceCouldNotContact, 1)]
    [InlineData(TaskKind.ConsentRequest, 1)]
    [InlineData(TaskKind.SingleSessionOffer, 5)]
    public void Each_kind_has_the_working_days_of_its_row(TaskKind kind, int n) =>
        Assert.Equal(n, TaskDue.WorkingDays(kind));

    [Fact]
    public void ContactNeeded_raised_on_a_working_morning_is_due_at_17_00_the_next_working_day()
    {
        var due = TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 5, 10), Deadline, WorkingDays);
        Assert.Equal(At(2026, 10, 6, 17), due);
        Assert.Equal(new DateTimeOffset(2026, 10, 6, 16, 0, 0, TimeSpan.Zero), due); // BST
    }

    [Fact]
    public void ServiceCouldNotContact_is_due_at_17_00_the_next_working_day() =>
        Assert.Equal(At(2026, 10, 9, 17), TaskDue.At(TaskKind.ServiceCouldNotContact, At(2026, 10, 8, 16, 59), Deadline, WorkingDays));

    [Fact]
    public void A_task_raised_after_17_00_counts_from_the_next_working_day() =>
        Assert.Equal(At(2026, 10, 7, 17), TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 5, 17, 1), Deadline, WorkingDays));

    [Fact]
    public void A_task_raised_at_17_00_exactly_counts_from_that_day() =>
        Assert.Equal(At(2026, 10, 6, 17), TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 5, 17), Deadline, WorkingDays));

    [Fact]
    public void A_task_raised_on_a_weekend_counts_from_monday() =>
        Assert.Equal(At(2026, 10, 13, 17), TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 10, 11), Deadline, WorkingDays));

    [Fact]
    public void A_task_raised_on_a_bank_holiday_counts_from_the_next_working_day() =>
        // Friday 25 December 2026 and Monday 28 December (Boxing Day's substitute) are bank holidays.
        Assert.Equal(At(2026, 12, 30, 17), TaskDue.At(TaskKind.ContactNeeded, At(2026, 12, 25, 9), Deadline, WorkingDays));

    [Fact]
    public void SingleSessionOffer_is_due_on_the_fifth_working_day()
    {
        Assert.Equal(At(2026, 10, 12, 17), TaskDue.At(TaskKind.SingleSessionOffer, At(2026, 10, 5, 10), Deadline, WorkingDays));
        // Thursday 24 December: 25, 28 December and 1 January are bank holidays.
        Assert.Equal(At(2027, 1, 5, 17), TaskDue.At(TaskKind.SingleSessionOffer, At(2026, 12, 24, 10), Deadline, WorkingDays));
    }

    [Fact]
    public void ConsentRequest_is_due_at_the_later_of_17_00_on_the_referral_deadline_and_the_next_working_day()
    {
        Assert.Equal(At(2026, 10, 7, 17), TaskDue.At(TaskKind.ConsentRequest, At(2026, 10, 5, 10), Deadline, WorkingDays));
        Assert.Equal(At(2026, 10, 9, 17), TaskDue.At(TaskKind.ConsentRequest, At(2026, 10, 8, 10), Deadline, WorkingDays));
        Assert.Equal(At(2026, 10, 8, 17), TaskDue.At(TaskKind.ConsentRequest, At(2026, 10, 7, 10), Deadline, WorkingDays));
    }

    [Fact]
    public void The_due_time_is_17_00_in_London_in_winter_too() =>
        // Clocks go back on Sunday 25 October 2026: 17:00 GMT is 17:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 17, 0, 0, TimeSpan.Zero), TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 23, 10), Deadline, WorkingDays));

    [Fact]
    public void A_forces_extra_bank_holiday_is_not_a_working_day()
    {
        var calendar = new WorkingDayCalendar([new DateOnly(2026, 10, 6)]);
        Assert.Equal(At(2026, 10, 7, 17), TaskDue.At(TaskKind.ContactNeeded, At(2026, 10, 5, 10), Deadline, calendar));
    }
}
