using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Outbound;

/// <summary>
/// The first step of the email and referral handlers: a message is held while outbound work is paused, and one that is
/// not Base64 or not a work item is dead-lettered with its reason.
/// </summary>
public sealed class WorkIntake(OutboundPause pause, WorkOutcomes outcomes, IOptions<PipelineOptions> options)
{
    /// <summary>The work item and its message, or null when the message was held or dead-lettered.</summary>
    public async Task<(WorkMessage Message, T Item)?> TakeAsync<T>(Func<PipelineOptions, string> queue, string rawMessage, long dequeueCount, Func<byte[], T?> parse, string invalid, Action logDeadLettered, CancellationToken cancellationToken)
        where T : class
    {
        var message = new WorkMessage(queue(options.Value), rawMessage, dequeueCount);
        if (await pause.HoldIfPausedAsync(message.Queue, rawMessage, cancellationToken))
        {
            return null;
        }

        if (!QueueText.TryDecode(rawMessage, out var payload) || parse(payload) is not { } item)
        {
            await outcomes.DeadLetterAsync(message, invalid, logDeadLettered, cancellationToken);
            return null;
        }

        return (message, item);
    }
}
