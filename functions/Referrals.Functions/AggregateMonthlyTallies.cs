using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>Recounts the current and previous Europe/London month into the MonthlyTallies table the OPCC reads.</summary>
public sealed class AggregateMonthlyTallies(TallyAggregator aggregator)
{
    [Function(nameof(AggregateMonthlyTallies))]
    public Task Run([TimerTrigger($"%{Settings.MonthlyTallySchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        aggregator.AggregateRecentAsync(cancellationToken);
}
