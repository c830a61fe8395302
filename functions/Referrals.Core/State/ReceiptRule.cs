using Referrals.Contact;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>What a provider's receipt says about one message, in the rulebook's terms.</summary>
public enum ReceiptKind
{
    /// <summary>Not final yet (SendGrid's deferred, Notify's created, sending or pending): changes nothing.</summary>
    Waiting,

    /// <summary>Delivered (a letter: accepted or received for printing and posting; an email reported as spam arrived).</summary>
    Delivered,

    /// <summary>Failed for good (bounce, dropped, permanent-failure, temporary-failure after Notify's retries, validation-failed, cancelled).</summary>
    Failed,

    /// <summary>Notify's technical-failure: it was not sent, so it may be sent again.</summary>
    NotSent,
}

/// <summary>What applying a receipt did.</summary>
public enum ReceiptEffect
{
    Applied,

    /// <summary>A repeat, a late or out-of-order receipt, or one that is not final: the status never goes backwards.</summary>
    NoChange,

    /// <summary>About a message this victim was never sent on that channel.</summary>
    Unknown,
}

/// <summary>
/// Applies a delivery receipt to a victim's channel. A status only moves forward: queued, sending, sent (or
/// unconfirmed), then delivered or failed, which are final. A failure passes the information to the next safe
/// channel (<see cref="ContactRule"/>); a technical failure of the latest attempt queues the same channel again.
/// </summary>
public static class ReceiptRule
{
    /// <param name="attempt">The send the receipt is about (from the message's reference), or null when the provider does not say (SendGrid).</param>
    public static (VictimState Next, ReceiptEffect Effect) Apply(VictimState victim, Channel channel, ReceiptKind kind, int? attempt, DateTimeOffset at, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        if (channel == Channel.Email)
        {
            return ApplyEmail(victim, kind, at, now, month, calendar);
        }

        var message = ContactRule.Message(victim, channel);
        if (message.Status is MessageStatus.NotNeeded or MessageStatus.Suppressed || message.Attempts == 0 || attempt > message.Attempts)
        {
            return (victim, ReceiptEffect.Unknown);
        }

        var progress = ContactRule.Of(message.Status);
        var latest = attempt is null || attempt == message.Attempts;
        MessageState? next = (kind, progress) switch
        {
            (_, ChannelProgress.Delivered or ChannelProgress.Failed) => null,
            (ReceiptKind.Delivered, _) => message with { Status = MessageStatus.Delivered, DeliveredAt = at, Reason = null },
            (ReceiptKind.Failed, _) when latest => message with { Status = MessageStatus.Failed, Reason = "the provider reported a permanent failure" },
            (ReceiptKind.NotSent, ChannelProgress.InFlight) when latest => message with { Status = MessageStatus.Queued, Reason = "the provider reported a technical failure: not sent, so sent again" },
            _ => null,
        };
        if (next is null)
        {
            return (victim, ReceiptEffect.NoChange);
        }

        var changed = victim with { Contact = channel == Channel.Sms ? victim.Contact with { Sms = next } : victim.Contact with { Letter = next }, UpdatedAt = now };
        return (ContactRule.Apply(changed, now, month, calendar), ReceiptEffect.Applied);
    }

    private static (VictimState Next, ReceiptEffect Effect) ApplyEmail(VictimState victim, ReceiptKind kind, DateTimeOffset at, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        var email = victim.Email;
        if (email.Status is EmailStatus.Suppressed or EmailStatus.Queued)
        {
            return (victim, ReceiptEffect.Unknown);
        }

        // An email SendGrid accepted is never sent twice, so its "not sent" cannot be acted on; an unconfirmed one is settled by the receipt.
        EmailState? next = (kind, ContactRule.Of(email.Status)) switch
        {
            (_, ChannelProgress.Delivered or ChannelProgress.Failed) => null,
            (ReceiptKind.Delivered, _) => email with { Status = EmailStatus.Delivered, Reason = null, DeliveredAt = at },
            (ReceiptKind.Failed, _) => email with { Status = EmailStatus.Failed, Reason = "the provider reported a bounce or a drop" },
            _ => null,
        };
        return next is null
            ? (victim, ReceiptEffect.NoChange)
            : (ContactRule.Apply(victim with { Email = next, UpdatedAt = now }, now, month, calendar), ReceiptEffect.Applied);
    }
}
