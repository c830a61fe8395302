using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.DeadLetters;

/// <summary>What a replay did: sent again to <paramref name="Queue"/> (the dead letter then removed), or refused with the dead letter kept.</summary>
public sealed record ReplayOutcome(bool Replayed, string Reason, string? Queue = null);

/// <summary>
/// `referrals replay ID`: a work item's dead letter is replayed as <see cref="ReplayRule"/> decides for the message or
/// delivery it names (state made due again and audited, then the work item sent, then the dead letter removed); a
/// replay that would send nothing is refused and the dead letter kept. Any other dead letter (a rejected snapshot, a
/// work item that could not be read) goes back to its queue as received, to be judged again. A dead letter of the
/// entitlement-emails queue (before issue 19) goes to the messages queue: its work item reads the same.
/// </summary>
public sealed class DeadLetterReplay(
    DeadLetterStore deadLetters, VictimStateStore states, DeliveryStore deliveries, StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time, Referrals.Contact.MessageToken? tokens = null,
    Contact.UnknownSettlement? unknowns = null)
{
    public async Task<ReplayOutcome> ReplayAsync(DeadLetterEntity letter, string operatorName, CancellationToken cancellationToken)
    {
        var raw = Encoding.UTF8.GetString(letter.Message);
        var decision = QueueText.TryDecode(raw, out var payload) ? await DecideAsync(payload, operatorName, cancellationToken) : null;
        if (decision?.Step == ReplayStep.Refuse)
        {
            return new ReplayOutcome(false, decision.Reason);
        }

        if (decision?.Step == ReplayStep.Settle && MessageWorkItem.TryParse(payload) is { } unknown)
        {
            // Rulebook 1.2 section 6: the status timer's settlement, now; a send again goes through the queue by itself.
            var (settled, reason) = unknowns is null ? (false, "the settlement is not configured here: the status timer settles it")
                : await SettleAsync(unknowns, unknown, cancellationToken);
            if (settled)
            {
                await deadLetters.DeleteAsync(letter, cancellationToken);
            }

            return new ReplayOutcome(settled, reason);
        }

        var queue = letter.Queue == options.Value.OldEmailQueue ? options.Value.MessageQueue : letter.Queue;
        await clients.RawQueues.GetQueueClient(queue).SendMessageAsync(raw, cancellationToken);
        await deadLetters.DeleteAsync(letter, cancellationToken);
        return new ReplayOutcome(true, decision?.Reason ?? "sent again as received, to be processed again", queue);
    }

    private static async Task<(bool Settled, string Reason)> SettleAsync(Contact.UnknownSettlement unknowns, MessageWorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            return await unknowns.SettleNowAsync(item.CrimeReference, item.VictimId, item.Channel, cancellationToken);
        }
        catch (OptionsValidationException)
        {
            return (false, "the provider's settings are missing (run it with the app's Notify__ and SendGrid__ settings): nothing was sent");
        }
    }

    /// <summary>The rule's decision for the work item, its requeue written; null when the payload is not a work item.</summary>
    private async Task<ReplayDecision?> DecideAsync(byte[] payload, string operatorName, CancellationToken cancellationToken)
    {
        if (ReferralWorkItem.TryParse(payload) is { } referral)
        {
            if (await deliveries.GetAsync(referral.Kind, referral.CrimeReference, referral.VictimId, referral.ServiceId, cancellationToken, referral.TaskId) is not { } delivery)
            {
                return new ReplayDecision(ReplayStep.Refuse, "nothing to replay: no such delivery is stored (the victim's data was purged or erased?)");
            }

            var decision = ReplayRule.ForDelivery(delivery.State);
            if (decision.RequeuedDelivery is { } pending)
            {
                await deliveries.RequeueAsync(delivery, pending, operatorName, cancellationToken);
            }

            return decision;
        }

        if (MessageWorkItem.TryParse(payload) is { } item)
        {
            if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken) is not { } victim)
            {
                return new ReplayDecision(ReplayStep.Refuse, "nothing to replay: no state is stored for this victim (the victim's data was purged or erased?)");
            }

            var decision = ReplayRule.ForMessage(victim.State, item.Channel, tokens);
            if (decision.Requeued is { } requeued)
            {
                await states.RequeueAsync(victim, requeued, operatorName, time.GetUtcNow(), cancellationToken);
            }

            return decision;
        }

        return null;
    }
}
