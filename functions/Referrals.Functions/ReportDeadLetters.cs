using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Health;

namespace Referrals.Functions;

/// <summary>Counts what waits for an operator (dead letters, poison queues) and reports it as a metric to alert on; writes its heartbeat.</summary>
public sealed class ReportDeadLetters(DeadLetterReporter reporter, TimerHeartbeats heartbeats)
{
    [Function(nameof(ReportDeadLetters))]
    public Task Run([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(ReportDeadLetters), reporter.ReportAsync, TimerSummaries.Of, cancellationToken);
}
