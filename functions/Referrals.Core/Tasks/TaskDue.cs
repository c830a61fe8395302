using Referrals.Calendar;

namespace Referrals.Tasks;

/// <summary>
/// Due times (rulebook 1.2 section 10): 17:00 Europe/London on the Nth working day (section 7's calendar) after the day
/// the task was raised; a task raised on a non-working day or after 17:00 counts from the next working day. A
/// ConsentRequest is due at the later of 17:00 on the referral deadline and N = 1. A task raised during a hold counts
/// from the moment the hold is lifted (section 9).
/// </summary>
public static class TaskDue
{
    /// <summary>The end of the Unit's working day, Europe/London.</summary>
    public static readonly TimeOnly EndOfDay = new(17, 0);

    /// <summary>N for each kind.</summary>
    public static int WorkingDays(TaskKind kind) => kind == TaskKind.SingleSessionOffer ? 5 : 1;

    /// <summary>
    /// The day a task raised at <paramref name="from"/> counts from: that Europe/London day if it is a working day and
    /// the clock there shows 17:00 or earlier, else the next working day.
    /// </summary>
    public static DateOnly CountsFrom(DateTimeOffset from, WorkingDayCalendar calendar)
    {
        var day = London.DateOf(from);
        return calendar.IsWorkingDay(day) && from <= London.At(day, EndOfDay) ? day : calendar.AddWorkingDays(day, 1);
    }

    /// <summary>The due time of a task of <paramref name="kind"/> that became actionable at <paramref name="from"/>.</summary>
    /// <param name="referralDueBy">The victim's referral deadline (section 7): a ConsentRequest is not due before 17:00 on it.</param>
    public static DateTimeOffset At(TaskKind kind, DateTimeOffset from, DateOnly referralDueBy, WorkingDayCalendar calendar)
    {
        var due = EndOf(calendar.AddWorkingDays(CountsFrom(from, calendar), WorkingDays(kind)));
        return kind == TaskKind.ConsentRequest && EndOf(referralDueBy) is var deadline && deadline > due ? deadline : due;
    }

    /// <summary>Working days from the day a task counted from to the day it was done (as the tallies count a deadline).</summary>
    public static int WorkingDaysToDone(VcuTask task, WorkingDayCalendar calendar, int atMost) =>
        task is { ActionableFrom: { } from, ClosedAt: { } closed }
            ? calendar.WorkingDaysTo(CountsFrom(from, calendar), London.DateOf(closed), atMost)
            : 0;

    private static DateTimeOffset EndOf(DateOnly day) => day == DateOnly.MaxValue ? DateTimeOffset.MaxValue : London.At(day, EndOfDay);
}
