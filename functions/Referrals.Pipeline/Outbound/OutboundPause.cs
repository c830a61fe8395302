using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Outbound;

/// <summary>
/// The kill switch (<c>Outbound__Paused</c>), read through <see cref="IOptionsMonitor{TOptions}"/> so a change is seen
/// by the next work item without a restart (Azure restarts the app on a settings change anyway).
/// </summary>
public sealed partial class OutboundPause(IOptionsMonitor<OutboundOptions> options, StorageClients clients, ILogger<OutboundPause> logger)
{
    /// <summary>
    /// When paused, puts an exact copy of the message back on its queue, hidden for the recheck interval, and returns
    /// true: the caller then returns normally, so the host deletes the message it is holding. A copy rather than an
    /// exception, because the host moves a message whose handler threw <c>maxDequeueCount</c> times to the poison
    /// queue: a pause of any length must not use up a message's tries, nor dead-letter anything. A crash between the
    /// copy and the delete leaves two copies, which the idempotent handlers treat as one.
    /// </summary>
    public async Task<bool> HoldIfPausedAsync(string queue, string rawMessage, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (!current.Paused)
        {
            return false;
        }

        await clients.RawQueues.GetQueueClient(queue).SendMessageAsync(rawMessage, current.PausedRecheckInterval, cancellationToken: cancellationToken);
        LogHeld(logger, queue, current.PausedRecheckInterval);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound sending is paused (Outbound__Paused): a work item of queue {Queue} waits {Interval} before it looks again")]
    private static partial void LogHeld(ILogger logger, string queue, TimeSpan interval);
}
