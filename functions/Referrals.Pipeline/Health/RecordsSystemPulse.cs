using Microsoft.Extensions.Logging;

namespace Referrals.Pipeline.Health;

/// <summary>
/// Records that the records system sent something, for the health endpoint's silence check: at most once a minute per
/// instance (one write, whatever the rate of snapshots), so ingest keeps its storage requests per victim. A write that
/// fails is logged and tried again with the next message; it never fails the ingest.
/// </summary>
public sealed partial class RecordsSystemPulse(HeartbeatStore store, TimeProvider time, ILogger<RecordsSystemPulse> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private long _lastWritten = long.MinValue;

    public async Task HeardAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var last = Interlocked.Read(ref _lastWritten);
        var since = last == long.MinValue ? TimeSpan.MaxValue : TimeSpan.FromTicks(now.UtcTicks - last);
        if ((since >= TimeSpan.Zero && since < Interval) || Interlocked.CompareExchange(ref _lastWritten, now.UtcTicks, last) != last)
        {
            return; // written within the minute, or being written by another message right now
        }

        try
        {
            await store.RecordSnapshotAsync(now, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Interlocked.CompareExchange(ref _lastWritten, last, now.UtcTicks);
            LogNotWritten(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The records system's last snapshot could not be recorded ({Error}); trying again with the next message")]
    private static partial void LogNotWritten(ILogger logger, string error);
}
