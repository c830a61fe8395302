using Referrals.Health;
using Referrals.Status;

namespace Referrals.Core.Tests.Deadlines;

public sealed class StatusRuleTests
{
    private static StatusFigures Healthy() => new(
        [new HealthCheck("timer ReportDeadLetters", true, "last completed …"), new HealthCheck("records system", true, "last snapshot …")],
        new Dictionary<string, long> { ["crime-events"] = 12, ["crime-events-poison"] = 0 },
        new Dictionary<string, long> { ["rejected"] = 0, ["poison"] = 0 },
        0, 0, 4, 0, false);

    [Fact]
    public void A_backlog_on_an_ordinary_queue_is_shown_not_judged()
    {
        Assert.Empty(StatusRule.Problems(Healthy()));
    }

    [Fact]
    public void Each_thing_late_or_failing_is_a_problem_named_in_order()
    {
        var figures = Healthy() with
        {
            Health = [new HealthCheck("timer ReportDeadLetters", false, "late: …"), new HealthCheck("records system", true, "…")],
            Queues = new Dictionary<string, long> { ["referrals"] = 3, ["referrals-poison"] = 2 },
            DeadLetters = new Dictionary<string, long> { ["rejected"] = 1, ["poison"] = 0 },
            ReferralsAtRisk = 2,
            ReferralsLate = 1,
            TasksOverdue = 3,
            OutboundPaused = true,
        };

        Assert.Equal(
            [
                "timer ReportDeadLetters: late: …",
                "poison queue referrals-poison: 2 message(s) the host gave up on (`referrals poison`, `referrals replay --poison-queues`)",
                "dead letters (rejected): 1 waiting (`referrals rejected`)",
                "referrals late: 1 not delivered by the end of their due date",
                "referrals at risk: 2 not delivered by the set time on the working day before they are due",
                "tasks overdue: 3 past their due time (`referrals tasks list --overdue`)",
                "outbound sending is paused (Outbound__Paused): no email, text, letter or referral goes out",
            ],
            StatusRule.Problems(figures));
    }

    [Fact]
    public void A_pause_the_app_has_not_reported_yet_is_not_a_problem()
    {
        Assert.Empty(StatusRule.Problems(Healthy() with { OutboundPaused = null }));
    }
}
