using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;

namespace Referrals.Functions;

/// <summary>Counts what waits for an operator (dead letters, poison queues) and reports it as a metric to alert on.</summary>
public sealed class ReportDeadLetters(DeadLetterReporter reporter)
{
    [Function(nameof(ReportDeadLetters))]
    public Task Run([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reporter.ReportAsync(cancellationToken);
}
