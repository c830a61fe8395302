using Referrals.Contact;

namespace Referrals.State;

/// <summary>What an operator's replay of a dead letter does.</summary>
public enum ReplayStep
{
    /// <summary>Make the message or delivery due again (its state back to <c>Queued</c> / <c>Pending</c>, audited), then send its work item.</summary>
    Requeue,

    /// <summary>It is already due (its work item was lost): send the work item again, the state unchanged.</summary>
    Resend,

    /// <summary>Nothing is sent and the dead letter is kept: the reason says why and what to do.</summary>
    Refuse,

    /// <summary>
    /// A message whose outcome is unknown: settled from the provider's records now, as the status timer does (rulebook 1.2
    /// section 6, <see cref="UnknownRule"/>); never sent blind.
    /// </summary>
    Settle,
}

/// <summary>A replay's step, why, and the state a requeue writes (null otherwise).</summary>
public sealed record ReplayDecision(ReplayStep Step, string Reason, VictimState? Requeued = null, DeliveryState? RequeuedDelivery = null);

/// <summary>
/// An operator's replay of a work item's dead letter (`referrals replay`): it sends again only what may be sent again,
/// and a replay that would do nothing says so instead of reporting success. A message whose fate is unknown is settled
/// from the provider's records, as the status timer does (rulebook 1.2 section 6), never sent blind. One the records
/// could not settle (unsettled): a text message or letter is never sent again (GOV.UK Notify has no idempotency key);
/// an email may be replayed once the operator has checked SendGrid's activity feed, as before. A failed message is sent again only while no other channel has taken over (one channel at a time).
/// </summary>
public static class ReplayRule
{
    /// <param name="tokens">The key of the sends' tokens, for what an operator checks (issue 22); none: the readable reference of before it.</param>
    public static ReplayDecision ForMessage(VictimState victim, Channel channel, MessageToken? tokens = null)
    {
        var name = channel.Noun();
        var message = victim.Contact[channel];
        if (HoldRule.IsHeld(victim))
        {
            return Refuse($"the crime is held (HoldContact): its {name} goes, if still due, when a snapshot lifts the hold");
        }

        if (UnknownRule.Unknown(message))
        {
            return new ReplayDecision(ReplayStep.Settle, $"the {name}'s outcome is unknown: it is settled from the provider's records, as the status timer does");
        }

        if (channel != Channel.Email && message.Status == MessageStatus.Unconfirmed)
        {
            var reference = MessageToken.NotifyReference(tokens, victim.CrimeReference, victim.VictimId, channel, message.Attempts);
            return Refuse($"the {name} may have reached GOV.UK Notify, and a second send would be a second {name}: check GET /v2/notifications?reference={reference} with the service's API key; replay never sends it again");
        }

        if (message.Status == MessageStatus.Queued)
        {
            return new ReplayDecision(ReplayStep.Resend, $"the {name} is still queued: its work item is sent again");
        }

        if (message.Status is not (MessageStatus.Failed or MessageStatus.Unconfirmed))
        {
            return Refuse($"nothing to replay: the {name} is {message.Status} now");
        }

        var takenOver = ChannelNames.InOrder
            .Where(c => c != channel && (victim.Contact[c].Status == MessageStatus.Queued || ContactRule.Of(victim, c) is ChannelProgress.InFlight or ChannelProgress.Delivered))
            .Select(c => (Channel?)c)
            .FirstOrDefault();
        if (takenOver is { } other)
        {
            return Refuse($"nothing to replay: the information has gone on by {other.Noun()} since (one channel at a time)");
        }

        var requeued = victim.With(channel, MessageTransition.Settle(message, MessageStatus.Queued, null, null));
        return new ReplayDecision(ReplayStep.Requeue, $"the {message.Status.ToString().ToLowerInvariant()} {name} is queued again", requeued);
    }

    /// <summary>A referral, withdrawal notice or Victim Care Unit task: a failed or unconfirmed one is made due again (the operator has checked).</summary>
    public static ReplayDecision ForDelivery(DeliveryState delivery) => delivery.Status switch
    {
        DeliveryStatus.Failed or DeliveryStatus.Unconfirmed =>
            new(ReplayStep.Requeue, $"the {delivery.Status.ToString().ToLowerInvariant()} delivery is due again", RequeuedDelivery: DeliveryTransition.Settle(delivery, DeliveryStatus.Pending, null)),
        DeliveryStatus.Pending => new(ReplayStep.Resend, "the delivery is still pending: its work item is sent again"),
        _ => Refuse($"nothing to replay: the delivery is {delivery.Status} now"),
    };

    private static ReplayDecision Refuse(string reason) => new(ReplayStep.Refuse, reason);
}
