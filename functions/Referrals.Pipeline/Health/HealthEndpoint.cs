using System.Text.Json;
using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Health;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Health;

/// <summary>
/// <c>GET /api/health</c>: whether every timer ran on schedule and the records system is sending, computed on request
/// from the heartbeats (<see cref="HealthRule"/>) with the project's working-day calendar. 200 when every check passes,
/// 503 naming each that does not; times, schedules and counts only, never personal data. Reads one partition; the first
/// request after a deployment starts watching the rows not seen before. docs/operations.md says what each answer means.
/// </summary>
public sealed class HealthEndpoint(HeartbeatStore store, IConfiguration configuration, IOptions<HealthOptions> options, WorkingDayCalendar calendar, TimeProvider time)
{
    public const string Route = "health";

    /// <param name="more">Checks of the host's own (the Functions app adds sign-in's).</param>
    public async Task<EndpointResponse> HandleAsync(IEnumerable<HealthCheck> more, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var checks = new List<HealthCheck>();
        try
        {
            var rows = await store.ReadAsync(cancellationToken);
            var unseen = WatchedTimers.All.Select(t => HeartbeatStore.TimerRow(t.Function)).Append(HeartbeatStore.RecordsSystemRow).Where(r => !rows.ContainsKey(r)).ToList();
            await store.WatchAsync(unseen, now, cancellationToken);
            checks.AddRange(Judge(now, rows));
        }
        catch (RequestFailedException ex)
        {
            checks.Add(new("storage", false, $"the heartbeats cannot be read: {ex.Status} {ex.ErrorCode}"));
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException or TimeoutException or Azure.Identity.AuthenticationFailedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            checks.Add(new("storage", false, $"the heartbeats cannot be read ({ex.GetType().Name})"));
        }

        checks.AddRange(more);
        var healthy = checks.All(c => c.Healthy);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            status = healthy ? "healthy" : "unhealthy",
            checkedAt = HealthRule.Time(now),
            problems = checks.Where(c => !c.Healthy).Select(c => $"{c.Name}: {c.Detail}"),
            checks = checks.Select(c => new { name = c.Name, healthy = c.Healthy, detail = c.Detail }),
        });
        return new EndpointResponse(healthy ? 200 : 503, "application/json; charset=utf-8", body);
    }

    private IEnumerable<HealthCheck> Judge(DateTimeOffset now, Dictionary<string, HeartbeatEntity> rows) => Judge(now, rows, configuration, options, calendar, schedulesFromRows: false);

    /// <summary>The timers' and the records system's checks from the heartbeat rows as read.</summary>
    /// <param name="schedulesFromRows">
    /// Issue 29's `referrals status`, away from the app's settings: a timer's schedule setting missing here is taken from
    /// the schedule its last run recorded. The endpoint itself never does: a setting missing in the app stops the timer.
    /// </param>
    public static IReadOnlyList<HealthCheck> Judge(DateTimeOffset now, Dictionary<string, HeartbeatEntity> rows, IConfiguration configuration, IOptions<HealthOptions> options, WorkingDayCalendar calendar, bool schedulesFromRows)
    {
        HealthOptions limits;
        try
        {
            limits = options.Value;
        }
        catch (InvalidOperationException ex)
        {
            return [new("health settings", false, $"cannot be read ({ex.GetType().Name}): see the {HealthOptions.Section}__ settings")];
        }

        if (limits.Problem() is { } problem)
        {
            return [new("health settings", false, problem)];
        }

        var timers = WatchedTimers.All.Select(t => new WatchedTimer(t.Function, t.ScheduleSetting,
            configuration[t.ScheduleSetting] ?? (schedulesFromRows ? rows.GetValueOrDefault(HeartbeatStore.TimerRow(t.Function))?.Schedule : null),
            rows.GetValueOrDefault(HeartbeatStore.TimerRow(t.Function)) is { } row ? new TimerBeat(row.WatchedSince, row.LastRunAt, row.LastCompletedAt, row.LastOutcome, row.LastSummary) : null));
        var records = rows.GetValueOrDefault(HeartbeatStore.RecordsSystemRow) is { } pulse ? new RecordsSystemBeat(pulse.WatchedSince, pulse.LastSnapshotAt) : new RecordsSystemBeat(null, null);
        return HealthRule.Check(now, timers, records, new HealthLimits(
            limits.TimerGrace, TimeSpan.FromHours(limits.RecordsSystemSilenceWorkingHours), new WorkingHours(calendar, limits.WorkingDayStart, limits.WorkingDayEnd)));
    }
}
