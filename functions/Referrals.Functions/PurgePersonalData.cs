using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Privacy;

namespace Referrals.Functions;

/// <summary>Removes personal data, dead letters and audit rows past their retention periods (docs/privacy.md).</summary>
public sealed class PurgePersonalData(RetentionPurge purge)
{
    [Function(nameof(PurgePersonalData))]
    public Task Run([TimerTrigger($"%{Settings.RetentionSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        purge.RunAsync(dryRun: false, cancellationToken);
}
