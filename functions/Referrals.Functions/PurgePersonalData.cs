using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Privacy;

namespace Referrals.Functions;

/// <summary>Removes personal data, dead letters and audit rows past their retention periods (docs/privacy.md); writes its heartbeat.</summary>
public sealed class PurgePersonalData(RetentionPurge purge, TimerHeartbeats heartbeats)
{
    [Function(nameof(PurgePersonalData))]
    public Task Run([TimerTrigger($"%{Settings.RetentionSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(PurgePersonalData), token => purge.RunAsync(dryRun: false, token), TimerSummaries.Of, cancellationToken);
}
