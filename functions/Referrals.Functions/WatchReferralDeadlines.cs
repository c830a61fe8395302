using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Deadlines;
using Referrals.Pipeline.Health;

namespace Referrals.Functions;

/// <summary>Gives each referral not delivered by the set time on the working day before it is due its notice, once, on the metric the at-risk alert watches; writes its heartbeat.</summary>
public sealed class WatchReferralDeadlines(DeadlineWatch watch, TimerHeartbeats heartbeats)
{
    [Function(nameof(WatchReferralDeadlines))]
    public Task Run([TimerTrigger($"%{Settings.DeadlineWatchSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(WatchReferralDeadlines), watch.WatchAsync, TimerSummaries.Of, cancellationToken);
}
