using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Tasks;

namespace Referrals.Functions;

/// <summary>Counts each Victim Care Unit task that went past its due time while open or claimed, once, on the metric the overdue alert watches; writes its heartbeat.</summary>
public sealed class EscalateOverdueTasks(TaskEscalation escalation, TimerHeartbeats heartbeats)
{
    [Function(nameof(EscalateOverdueTasks))]
    public Task Run([TimerTrigger($"%{Settings.TaskEscalationSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(EscalateOverdueTasks), escalation.SweepAsync, TimerSummaries.Of, cancellationToken);
}
