using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Referrals.Pipeline.Health;

/// <summary>
/// Runs a timer function's work and writes its heartbeat: when it ran, how it ended, and, when it succeeded, what it
/// did (<see cref="TimerSummaries"/>). The health endpoint, which HTTP keeps alive, reads these: a watchdog inside the
/// timers would stop with them. A heartbeat that cannot be written is logged, never fails the run.
/// </summary>
public sealed partial class TimerHeartbeats(HeartbeatStore store, TimeProvider time, IConfiguration configuration, ILogger<TimerHeartbeats> logger)
{
    public async Task RunAsync<T>(string function, Func<CancellationToken, Task<T>> work, Func<T, string> describe, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        T result;
        try
        {
            result = await work(cancellationToken);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            await WriteAsync(function, started, $"failed ({ex.GetType().Name})", null, null);
            throw;
        }

        await WriteAsync(function, started, "succeeded", time.GetUtcNow(), describe(result));
    }

    private async Task WriteAsync(string function, DateTimeOffset started, string outcome, DateTimeOffset? completed, string? summary)
    {
        try
        {
            var schedule = WatchedTimers.All.Where(t => t.Function == function).Select(t => configuration[t.ScheduleSetting]).FirstOrDefault();
            await store.RecordRunAsync(function, started, outcome, completed, summary, CancellationToken.None, schedule);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogNotWritten(logger, function, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The heartbeat of {Function} could not be written ({Error}); the health endpoint will call it late if this goes on")]
    private static partial void LogNotWritten(ILogger logger, string function, string error);
}
