using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Notify;

namespace Referrals.Functions;

/// <summary>Asks GOV.UK Notify for the status of text messages and letters whose callback has not come; writes its heartbeat.</summary>
public sealed class CheckNotifyStatuses(NotifyStatusSweep sweep, TimerHeartbeats heartbeats)
{
    [Function(nameof(CheckNotifyStatuses))]
    public Task Run([TimerTrigger($"%{Settings.NotifyStatusSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(CheckNotifyStatuses), sweep.SweepAsync, TimerSummaries.Of, cancellationToken);
}
