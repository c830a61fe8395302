using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Outbound;

/// <summary>A work item about one victim of one crime (an entitlement message, a delivery to a service).</summary>
public interface IVictimWorkItem
{
    string CrimeReference { get; }

    string VictimId { get; }
}

/// <summary>
/// The first step of the message and referral handlers: a message is held while outbound work is paused, and one that
/// is not Base64 or not a work item is dead-lettered with its reason.
/// </summary>
public sealed class WorkIntake(OutboundPause pause, WorkOutcomes outcomes, IOptions<PipelineOptions> options, LogIds ids)
{
    /// <summary>The work item and its message (about the item's victim, with the ids as logs show them), or null when the message was held or dead-lettered.</summary>
    public async Task<(WorkMessage Message, T Item)?> TakeAsync<T>(Func<PipelineOptions, string> queue, string rawMessage, long dequeueCount, Func<byte[], T?> parse, string invalid, Action logDeadLettered, CancellationToken cancellationToken)
        where T : class, IVictimWorkItem
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

        var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
        return (message with { CrimeReference = item.CrimeReference, VictimId = item.VictimId, LoggedCrime = loggedCrime, LoggedVictim = loggedVictim }, item);
    }
}
