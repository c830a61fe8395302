using System.Globalization;
using Referrals.Health;

namespace Referrals.Status;

/// <summary>What the operators' status view counted (issue 29): counts, times and codes only, never personal data.</summary>
/// <param name="Health">The health endpoint's checks: each timer, the records system.</param>
/// <param name="Queues">Messages waiting on each queue, the poison queues included (by queue name).</param>
/// <param name="DeadLetters">Dead letters waiting, by kind (rejected, poison).</param>
/// <param name="OutboundPaused">Whether outbound sending is paused (null: the app has not said yet).</param>
public sealed record StatusFigures(
    IReadOnlyList<HealthCheck> Health,
    IReadOnlyDictionary<string, long> Queues,
    IReadOnlyDictionary<string, long> DeadLetters,
    int ReferralsAtRisk,
    int ReferralsLate,
    int TasksOpen,
    int TasksOverdue,
    bool? OutboundPaused);

/// <summary>
/// Whether the pipeline needs an operator, from the status view's figures: a timer late or failing, the records system
/// silent, anything in a poison queue or the dead-letter store, a referral at risk or late, a task overdue, or outbound
/// sending paused. A queue's ordinary backlog is shown, not judged (the health checks see a stopped pipeline). Pure.
/// </summary>
public static class StatusRule
{
    public const string PoisonSuffix = "-poison";

    /// <summary>Each reason the pipeline is not healthy, in the order the view shows them; none: healthy.</summary>
    public static IReadOnlyList<string> Problems(StatusFigures figures)
    {
        var problems = new List<string>();
        problems.AddRange(figures.Health.Where(c => !c.Healthy).Select(c => $"{c.Name}: {c.Detail}"));
        problems.AddRange(figures.Queues.Where(q => q.Key.EndsWith(PoisonSuffix, StringComparison.Ordinal) && q.Value > 0)
            .Select(q => Count($"poison queue {q.Key}: {{0}} message(s) the host gave up on (`referrals poison`, `referrals replay --poison-queues`)", q.Value)));
        problems.AddRange(figures.DeadLetters.Where(d => d.Value > 0).Select(d => Count($"dead letters ({d.Key}): {{0}} waiting (`referrals {d.Key}`)", d.Value)));
        if (figures.ReferralsLate > 0)
        {
            problems.Add(Count("referrals late: {0} not delivered by the end of their due date", figures.ReferralsLate));
        }

        if (figures.ReferralsAtRisk > 0)
        {
            problems.Add(Count("referrals at risk: {0} not delivered by the set time on the working day before they are due", figures.ReferralsAtRisk));
        }

        if (figures.TasksOverdue > 0)
        {
            problems.Add(Count("tasks overdue: {0} past their due time (`referrals tasks list --overdue`)", figures.TasksOverdue));
        }

        if (figures.OutboundPaused == true)
        {
            problems.Add("outbound sending is paused (Outbound__Paused): no email, text, letter or referral goes out");
        }

        return problems;
    }

    private static string Count(string format, long count) => string.Format(CultureInfo.InvariantCulture, format, count);
}
