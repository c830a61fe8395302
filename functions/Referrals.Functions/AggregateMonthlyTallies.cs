using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>Recounts the current and previous Europe/London month into the MonthlyTallies table the OPCC reads; writes its heartbeat.</summary>
public sealed class AggregateMonthlyTallies(TallyAggregator aggregator, TimerHeartbeats heartbeats)
{
    [Function(nameof(AggregateMonthlyTallies))]
    public Task Run([TimerTrigger($"%{Settings.MonthlyTallySchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(AggregateMonthlyTallies), aggregator.AggregateRecentAsync, TimerSummaries.Of, cancellationToken);
}
