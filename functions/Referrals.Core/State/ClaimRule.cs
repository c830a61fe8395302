using Referrals.Contact;

namespace Referrals.State;

/// <summary>What a step does with the row it was handed, before calling anyone.</summary>
public enum ClaimStep
{
    /// <summary>Claim it (ETag-checked) and send.</summary>
    Send,

    /// <summary>Another delivery of the work item holds the claim: come back later.</summary>
    RetryLater,

    /// <summary>A sender stopped after calling out and before recording the result: it may have gone. Never sent again automatically.</summary>
    Unconfirmed,

    /// <summary>Already done: count it again (counting is idempotent, a crash may have come between the two).</summary>
    Recount,

    /// <summary>The crime is held (HoldContact): it waits, unsent and unsettled, for the snapshot that lifts the hold.</summary>
    Held,

    /// <summary>Nothing to do (suppressed, failed, cancelled...).</summary>
    Nothing,
}

/// <summary>A message's claim: the step, why, and the victim's state the step writes (the claim, or the send found unconfirmed).</summary>
public sealed record MessageClaim(ClaimStep Step, string Reason, VictimState? Next = null);

/// <summary>At most one message per victim and channel, and one of each delivery, ever: the claim rules of both steps.</summary>
public static class ClaimRule
{
    /// <summary>
    /// An entitlement message on any channel. Neither SendGrid nor GOV.UK Notify has an idempotency key, so a claim found
    /// older than <paramref name="lease"/> is never sent again: its send may have gone (unconfirmed, for an operator).
    /// A queued message is claimed (queued → sending, the send counted); a held crime's waits. Its tally events travel
    /// with its state, so there is nothing to count again.
    /// </summary>
    /// <param name="tokens">The key of the sends' tokens, for what an operator checks (issue 22); none: the readable reference of before it.</param>
    public static MessageClaim ForMessage(VictimState victim, Channel channel, DateTimeOffset now, TimeSpan lease, Contact.MessageToken? tokens = null)
    {
        var message = victim.Contact[channel];
        if (HoldRule.IsHeld(victim))
        {
            return new(ClaimStep.Held, $"the crime is held (HoldContact): the {channel.Noun()} waits for the snapshot that lifts the hold");
        }

        switch (message.Status)
        {
            case MessageStatus.Sending when now - message.AttemptedAt < lease:
                return new(ClaimStep.RetryLater, $"the {channel.Noun()} is being sent by another delivery of its work item");
            case MessageStatus.Sending:
                var reason = $"a sender stopped after calling {(channel == Channel.Email ? "SendGrid" : "Notify")} and before recording the result: {OutcomeRule.CheckBeforeReplay(victim.CrimeReference, victim.VictimId, channel, message.Attempts, tokens)}";
                return new(ClaimStep.Unconfirmed, reason, victim.With(channel, MessageTransition.Settle(message, MessageStatus.Unconfirmed, MessageReason.OutcomeUnknown, reason)) with { UpdatedAt = now });
            case MessageStatus.Queued:
                return new(ClaimStep.Send, $"the {channel.Noun()} is claimed", victim.With(channel, MessageTransition.Claim(message, now)) with { UpdatedAt = now });
            default:
                return new(ClaimStep.Nothing, $"nothing to send: the {channel.Noun()} is {message.Status}");
        }
    }

    /// <param name="idempotent">Whether the channel dedupes on the delivery id (an API with an Idempotency-Key): then an expired claim may send again.</param>
    public static ClaimStep ForDelivery(DeliveryState delivery, DateTimeOffset now, TimeSpan lease, bool idempotent) => delivery.Status switch
    {
        DeliveryStatus.Delivered => ClaimStep.Recount,
        DeliveryStatus.Sending when now - delivery.AttemptedAt < lease => ClaimStep.RetryLater,
        DeliveryStatus.Sending when !idempotent => ClaimStep.Unconfirmed,
        DeliveryStatus.Sending or DeliveryStatus.Pending => ClaimStep.Send,
        _ => ClaimStep.Nothing,
    };
}
