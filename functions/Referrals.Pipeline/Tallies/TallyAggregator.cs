using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;

/// <summary>
/// The timer's work: recount the current Europe/London month and the earlier ones not long ended (the schedule is UTC;
/// late deliveries of last month's referrals still land in last month): each month is recounted after it can become
/// final, so it does (<see cref="MonthStatus.Recent"/>). First it finishes what a crash left of the month index
/// (<see cref="IndexSweep"/>) and applies the steps' index outboxes (<see cref="IndexOutbox"/>), so a month is counted from
/// a complete index. Safe to re-run and to run twice at once.
/// </summary>
public sealed partial class TallyAggregator(TallyStore store, IndexOutbox outbox, IndexSweep sweep, TimeProvider time, IOptions<TalliesOptions> options, RulesData rules, ILogger<TallyAggregator> logger)
{
    public async Task<IReadOnlyList<Month>> AggregateRecentAsync(CancellationToken cancellationToken)
    {
        await sweep.SweepAsync(cancellationToken);
        var now = time.GetUtcNow();

        // Far enough back that a month is recounted after its contract measures can be final (10 working days after its last target date).
        var last = Month.Of(now).Previous;
        var reach = Math.Max(options.Value.FinalAfterDays, ContractMeasures.ProvisionalUntil(last, rules.Directory, rules.Rules.Calendar).DayNumber - last.LastDay.DayNumber);
        var months = MonthStatus.Recent(now, reach);
        await AggregateAsync(months, cancellationToken);
        return months;
    }

    /// <summary>Recounts each month, after applying the steps' index outboxes (every recount: the timer's, `referrals tallies --refresh`).</summary>
    public async Task AggregateAsync(IEnumerable<Month> months, CancellationToken cancellationToken)
    {
        await outbox.DrainAsync(cancellationToken);
        foreach (var month in months)
        {
            var events = (await store.AggregateAsync(month, cancellationToken)).Values.Sum();
            LogAggregated(logger, month, events);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monthly tallies for {Month} recounted from {Events} events")]
    private static partial void LogAggregated(ILogger logger, Month month, long events);
}
