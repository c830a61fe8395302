using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Notify;

namespace Referrals.Functions;

/// <summary>Asks GOV.UK Notify for the status of text messages and letters whose callback has not come.</summary>
public sealed class CheckNotifyStatuses(NotifyStatusSweep sweep)
{
    [Function(nameof(CheckNotifyStatuses))]
    public Task Run([TimerTrigger($"%{Settings.NotifyStatusSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.SweepAsync(cancellationToken);
}
