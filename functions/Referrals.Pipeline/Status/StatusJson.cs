using System.Text.Json;
using Referrals.Health;

namespace Referrals.Pipeline.Status;

/// <summary>
/// The operators' section of the dashboard (<c>GET /api/dashboard/status</c>, drawn by <c>status.js</c>): the status view
/// as JSON, counts, times and check details only. The referrals at risk and late are counted, never listed (no crime
/// reference or victim id reaches the dashboard; `referrals status` lists them for an operator).
/// </summary>
public static class StatusJson
{
    public static byte[] Of(OperationsReport report)
    {
        var figures = report.Figures;
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            checkedAt = HealthRule.Time(report.At),
            healthy = report.Healthy,
            problems = report.Problems,
            checks = figures.Health.Select(c => new { name = c.Name, healthy = c.Healthy, detail = c.Detail }),
            queues = figures.Queues,
            deadLetters = figures.DeadLetters,
            referrals = new { atRisk = figures.ReferralsAtRisk, late = figures.ReferralsLate },
            tasks = new { open = figures.TasksOpen, overdue = figures.TasksOverdue },
            outbound = new { paused = figures.OutboundPaused, reportedAt = report.OutboundReportedAt is { } at ? HealthRule.Time(at) : null },
        });
    }
}
