using Microsoft.Extensions.Logging;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;

/// <summary>
/// The timer's work: recount the current and the previous Europe/London month (the schedule is UTC; late
/// deliveries of last month's referrals still land in last month). Safe to re-run and to run twice at once.
/// </summary>
public sealed partial class TallyAggregator(TallyStore store, TimeProvider time, ILogger<TallyAggregator> logger)
{
    public async Task<IReadOnlyList<Month>> AggregateRecentAsync(CancellationToken cancellationToken)
    {
        var current = Month.Of(time.GetUtcNow());
        Month[] months = [current.Previous, current];
        await AggregateAsync(months, cancellationToken);
        return months;
    }

    public async Task AggregateAsync(IEnumerable<Month> months, CancellationToken cancellationToken)
    {
        foreach (var month in months)
        {
            var events = (await store.AggregateAsync(month, cancellationToken)).Values.Sum();
            LogAggregated(logger, month, events);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly tallies for {Month} recounted from {Events} events")]
    private static partial void LogAggregated(ILogger logger, Month month, long events);
}
