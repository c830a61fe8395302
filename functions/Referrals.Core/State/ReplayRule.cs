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
}

/// <summary>A replay's step, why, and the state a requeue writes (null otherwise).</summary>
public sealed record ReplayDecision(ReplayStep Step, string Reason, VictimState? Requeued = null, DeliveryState? RequeuedDelivery = null);

/// <summary>
/// An operator's replay of a work item's dead letter (`referrals replay`): it sends again only what may be sent again,
/// and a replay that would do nothing says so instead of reporting success. A text message or letter whose fate is
/// unknown is never sent again (rulebook 1.2 section 6: GOV.UK Notify has no idempotency key): the operator checks
/// Notify for its reference. An email whose fate was unknown may be replayed once the operator has checked SendGrid,
/// as before. A failed message is sent again only while no other channel has taken over (one channel at a time).
/// </summary>
public static class ReplayRule
{
    public static ReplayDecision ForMessage(VictimState victim, Channel channel)
    {
        var name = channel.Noun();
        if (victim.Contact.Held)
        {
            return Refuse($"the crime is held (HoldContact): its {name} goes, if still due, when a snapshot lifts the hold");
        }

        if (channel != Channel.Email && ContactRule.Message(victim, channel) is { Status: MessageStatus.Unconfirmed } unknown)
        {
            var reference = MessageReference.Notify(victim.CrimeReference, victim.VictimId, channel, unknown.Attempts);
            return Refuse($"the {name} may have reached GOV.UK Notify, and a second send would be a second {name}: check GET /v2/notifications?reference={reference} with the service's API key; replay never sends it again");
        }

        var status = channel == Channel.Email ? victim.Email.Status.ToString() : ContactRule.Message(victim, channel).Status.ToString();
        if (IsQueued(victim, channel))
        {
            return new ReplayDecision(ReplayStep.Resend, $"the {name} is still queued: its work item is sent again");
        }

        if (channel == Channel.Email ? victim.Email.Status is not (EmailStatus.Failed or EmailStatus.Unconfirmed) : ContactRule.Of(victim, channel) != ChannelProgress.Failed)
        {
            return Refuse($"nothing to replay: the {name} is {status} now");
        }

        var takenOver = ChannelNames.InOrder
            .Where(c => c != channel && (IsQueued(victim, c) || ContactRule.Of(victim, c) is ChannelProgress.InFlight or ChannelProgress.Delivered))
            .Select(c => (Channel?)c)
            .FirstOrDefault();
        if (takenOver is { } other)
        {
            return Refuse($"nothing to replay: the information has gone on by {other.Noun()} since (one channel at a time)");
        }

        var requeued = channel switch
        {
            Channel.Email => victim with { Email = victim.Email with { Status = EmailStatus.Queued, Reason = null } },
            Channel.Sms => victim with { Contact = victim.Contact with { Sms = victim.Contact.Sms with { Status = MessageStatus.Queued, Reason = null } } },
            _ => victim with { Contact = victim.Contact with { Letter = victim.Contact.Letter with { Status = MessageStatus.Queued, Reason = null } } },
        };
        return new ReplayDecision(ReplayStep.Requeue, $"the {status.ToLowerInvariant()} {name} is queued again", requeued);
    }

    /// <summary>A referral, withdrawal notice or Victim Care Unit task: a failed or unconfirmed one is made due again (the operator has checked).</summary>
    public static ReplayDecision ForDelivery(DeliveryState delivery) => delivery.Status switch
    {
        DeliveryStatus.Failed or DeliveryStatus.Unconfirmed =>
            new(ReplayStep.Requeue, $"the {delivery.Status.ToString().ToLowerInvariant()} delivery is due again", RequeuedDelivery: DeliveryTransition.Settle(delivery, DeliveryStatus.Pending, null)),
        DeliveryStatus.Pending => new(ReplayStep.Resend, "the delivery is still pending: its work item is sent again"),
        _ => Refuse($"nothing to replay: the delivery is {delivery.Status} now"),
    };


    private static bool IsQueued(VictimState victim, Channel channel) => channel == Channel.Email
        ? victim.Email.Status == EmailStatus.Queued
        : ContactRule.Message(victim, channel).Status == MessageStatus.Queued;

    private static ReplayDecision Refuse(string reason) => new(ReplayStep.Refuse, reason);
}
