using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Deadlines;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Deadlines;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tasks;
using Referrals.Status;

namespace Referrals.Pipeline.Status;

/// <summary>The operators' status view as read at <paramref name="At"/>: its figures, the referrals at risk or late, and what needs an operator.</summary>
public sealed record OperationsReport(DateTimeOffset At, StatusFigures Figures, IReadOnlyList<ReferralAtRisk> Referrals, DateTimeOffset? OutboundReportedAt, IReadOnlyList<string> Problems)
{
    public bool Healthy => Problems.Count == 0;
}

/// <summary>
/// Issue 29's status view (`referrals status`, and the operators' section of the dashboard): the health endpoint's
/// checks from the heartbeats, every queue's backlog (poison queues included), dead letters by kind, referrals at risk and
/// late (<see cref="DeadlineWatch.SurveyAsync"/>), tasks open and overdue (the task index's open partitions), and whether
/// outbound sending is paused. Reads only: one heartbeat partition, one properties request per queue, one partition per
/// dead-letter kind, the due rows of the months the deadline window touches (two point reads per referral at risk or
/// late), and the open tasks' partitions. Nothing it reads grows with what is kept.
/// </summary>
public sealed class OperationsStatus(
    HeartbeatStore heartbeats, StorageClients clients, DeadLetterStore deadLetters, DeadlineWatch deadlines, TaskIndex tasks,
    IConfiguration configuration, IOptions<HealthOptions> health, IOptions<PipelineOptions> options, WorkingDayCalendar calendar, TimeProvider time)
{
    /// <param name="pausedNow">The app's own pause setting when the app asks; null away from the app (the CLI): what the app last reported.</param>
    /// <param name="schedulesFromRows">Away from the app's settings: each timer judged by the schedule its last run recorded.</param>
    public async Task<OperationsReport> ReadAsync(bool? pausedNow, bool schedulesFromRows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await NothingYet(() => heartbeats.ReadAsync(cancellationToken), new Dictionary<string, HeartbeatEntity>(StringComparer.Ordinal));
        var checks = HealthEndpoint.Judge(now, rows, configuration, health, calendar, schedulesFromRows).Select(c =>
            schedulesFromRows && WatchedTimers.All.FirstOrDefault(t => $"timer {t.Function}" == c.Name) is { Function: { } function } && rows.GetValueOrDefault(HeartbeatStore.TimerRow(function))?.LastRunAt is null
                ? c with { Healthy = false, Detail = "no run recorded on this storage: the timer has never run here, or its heartbeats are in another account" }
                : c).ToList();

        var queues = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var queue in options.Value.Queues.SelectMany(q => new[] { q, PipelineOptions.PoisonQueueOf(q) }))
        {
            try
            {
                queues[queue] = (await clients.Queues.GetQueueClient(queue).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                queues[queue] = 0; // never created: nothing ever waited there
            }
        }

        var letters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            letters[kind.ToString().ToLowerInvariant()] = await NothingYet(() => deadLetters.CountAsync(kind, cancellationToken), 0);
        }

        var referrals = await NothingYet(() => deadlines.SurveyAsync(now, cancellationToken), []);
        var (open, overdue) = await NothingYet(async () =>
        {
            var (all, late) = (0, 0);
            await foreach (var task in tasks.OpenAsync(cancellationToken))
            {
                all++;
                late += task.DueAt < now ? 1 : 0;
            }

            return (all, late);
        }, (0, 0));

        var outbound = rows.GetValueOrDefault(HeartbeatStore.OutboundRow);
        var figures = new StatusFigures(checks, queues, letters, referrals.Count(r => r.Standing == DeadlineStanding.AtRisk), referrals.Count(r => r.Standing == DeadlineStanding.Late),
            open, overdue, pausedNow ?? outbound?.OutboundPaused);
        return new OperationsReport(now, figures, referrals, pausedNow is null ? outbound?.ReportedAt : now, StatusRule.Problems(figures));
    }

    /// <summary>A table not created yet holds nothing: its figure is the empty one.</summary>
    private static async Task<T> NothingYet<T>(Func<Task<T>> read, T empty)
    {
        try
        {
            return await read();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            return empty;
        }
    }
}
