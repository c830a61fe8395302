using Referrals.Contact;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>
/// What a provider says became of a message (docs/receipts.md): the one receipt outcome of SendGrid's webhook, GOV.UK
/// Notify's callbacks and the Notify status timer, each provider's statuses mapped once (<c>SendGridEvents.Map</c>,
/// <c>NotifyStatuses.Map</c>).
/// </summary>
public enum ReceiptStatus
{
    /// <summary>Not final yet: the provider is still trying (SendGrid <c>deferred</c>, Notify <c>sending</c>/<c>created</c>/<c>pending</c>). Changes nothing.</summary>
    Deferred,

    /// <summary>Reached the recipient (a letter: printed and posted, Notify's <c>received</c>; never <c>accepted</c>, which waits for the print run).</summary>
    Delivered,

    /// <summary>Delivered, and the recipient marked it as spam (SendGrid <c>spamreport</c>): delivered, and recorded.</summary>
    SpamReported,

    /// <summary>
    /// Will never arrive by this channel (bounce, dropped, permanent or temporary failure, validation failed, cancelled): fall
    /// back. Also after the fact: an email's asynchronous bounce after <c>delivered</c>, a letter returned or failed after it
    /// counted as delivered (<see cref="ReceiptRule.FailsAfterDelivery"/>).
    /// </summary>
    FailedForGood,

    /// <summary>The provider says it was never sent (Notify <c>technical-failure</c>): <see cref="ReceiptRule.AfterTechnicalFailure"/> says whether it is sent again.</summary>
    NotSent,
}

/// <summary>What applying a receipt did: the one receipt result of the rule, the webhooks and the status timer.</summary>
public enum ReceiptEffect
{
    /// <summary>The message's status moved on.</summary>
    Applied,

    /// <summary>A repeat, a late or out-of-order receipt, or one that is not final: the status never goes backwards.</summary>
    AlreadyKnown,

    /// <summary>About a message the pipeline did not send (on that channel, to that victim), or whose victim's data was purged.</summary>
    UnknownMessage,

    /// <summary>
    /// Names a message of ours but does not come from it: GOV.UK Notify reports another channel than the reference
    /// names, or a notification id other than the one it gave that send. Never applied.
    /// </summary>
    Mismatch,

    /// <summary>About a victim whose personal data an operator erased: acknowledged and counted, and nothing changes (rulebook 1.2 section 6).</summary>
    Erased,

    /// <summary>An asynchronous bounce without our custom arg or token that no email to its address awaiting receipts matches: nothing applied, alerted.</summary>
    NoRecipientMatch,

    /// <summary>An asynchronous bounce without our custom arg or token whose address several of our emails await (two victims, one parent's address): nothing applied, alerted.</summary>
    AmbiguousRecipient,
}

/// <summary>
/// What identifies a GOV.UK Notify receipt: the channel and send its reference names (<see cref="MessageReference"/>),
/// the channel Notify reports (<c>notification_type</c>, <c>type</c>) and Notify's notification id.
/// </summary>
public sealed record NotifyReceiptIdentity(Channel Named, int Attempt, Channel Reported, string NotificationId);

/// <summary>
/// Applies a delivery receipt to a victim's channel. A status only moves forward: queued, sending, sent (or
/// unconfirmed), then delivered or failed, which are final. A failure passes the information to the next safe
/// channel (<see cref="ContactRule"/>); a technical failure of the latest send is bounded (<see cref="AfterTechnicalFailure"/>).
/// </summary>
public static class ReceiptRule
{
    /// <summary>Rulebook 1.2 section 6: a text message Notify reports as <c>technical-failure</c> is sent at most this many times in all.</summary>
    public const int MaxTextSends = 3;

    /// <summary>
    /// A GOV.UK Notify receipt (a callback or a status look-up), applied only to the message it is about: the channel
    /// Notify reports must be the one its reference names (so it can never settle an email, which Notify never sends
    /// for us), it must be about the latest send, and its notification id must be the one stored for that send; a
    /// send with no id stored (unconfirmed, or the receipt came before the sender's record) takes the id of the
    /// first receipt applied to it, matched by reference and type.
    /// </summary>
    public static (VictimState Next, ReceiptEffect Effect, string Reason) ApplyNotify(
        VictimState victim, NotifyReceiptIdentity receipt, ReceiptStatus status, DateTimeOffset at, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        if (receipt.Reported != receipt.Named || receipt.Named == Channel.Email)
        {
            return (victim, ReceiptEffect.Mismatch, $"Notify reports a {receipt.Reported.Noun()} but the reference names a {receipt.Named.Noun()}");
        }

        if (Privacy.RedactionRule.IsErased(victim))
        {
            return (victim, ReceiptEffect.Erased, "the victim's personal data was erased: a receipt changes nothing");
        }

        var message = victim.Contact[receipt.Named];
        if (NeverSent(receipt.Named, message) || receipt.Attempt > message.Attempts || receipt.Attempt < 1)
        {
            return (victim, ReceiptEffect.UnknownMessage, $"this victim was never sent that {receipt.Named.Noun()}");
        }

        if (receipt.Attempt < message.Attempts)
        {
            return (victim, ReceiptEffect.AlreadyKnown, $"about an earlier send of the {receipt.Named.Noun()}: only the latest send's receipts count");
        }

        if (message.ProviderId is { } stored && !string.Equals(stored, receipt.NotificationId, StringComparison.OrdinalIgnoreCase))
        {
            return (victim, ReceiptEffect.Mismatch, $"the notification id is not the one Notify gave this {receipt.Named.Noun()}");
        }

        var (next, effect) = Apply(victim, receipt.Named, status, receipt.Attempt, at, now, month, calendar);
        if (effect != ReceiptEffect.Applied)
        {
            return (victim, effect, "a repeat, a late receipt or one that is not final: a status never goes backwards");
        }

        if (message.ProviderId is null)
        {
            next = next.With(receipt.Named, next.Contact[receipt.Named] with { ProviderId = receipt.NotificationId });
        }

        return (next, ReceiptEffect.Applied, status == ReceiptStatus.NotSent
            ? AfterTechnicalFailure(receipt.Named, message).Detail!
            : $"the {receipt.Named.Noun()} is {next.Contact[receipt.Named].Status}");
    }

    /// <summary>
    /// Rulebook 1.2 section 6, a message Notify reports it never sent (<c>technical-failure</c>): a text message is sent
    /// again, at most <see cref="MaxTextSends"/> sends in all, after which the text channel has failed for good; a
    /// letter is never sent again (Notify: "do not try to send the letter again", alphagov/notifications-tech-docs
    /// source/documentation/notification_statuses/_notification_statuses.md line 32): the letter channel has failed for good.
    /// </summary>
    public static MessageState AfterTechnicalFailure(Channel channel, MessageState message) =>
        channel == Channel.Sms && message.Attempts < MaxTextSends
            ? MessageTransition.Settle(message, MessageStatus.Queued, MessageReason.TechnicalFailure,
                $"Notify reported a technical failure (not sent): sent again, send {message.Attempts + 1} of at most {MaxTextSends}")
            : MessageTransition.Settle(message, MessageStatus.Failed, MessageReason.TechnicalFailure, channel == Channel.Sms
                ? $"Notify reported a technical failure (not sent) on send {message.Attempts} of at most {MaxTextSends}: the text message channel has failed for good"
                : "Notify reported a technical failure: a letter is never sent again (Notify: do not try to send the letter again), so the letter channel has failed for good");

    /// <summary>
    /// A receipt applied to the victim's message on the channel; a change works the plan out again (<see cref="ContactRule.Apply"/>).
    /// An email's "not sent" cannot be acted on (SendGrid has accepted it, and it is never sent twice); an unconfirmed
    /// message is settled by its receipt.
    /// </summary>
    /// <param name="attempt">The send the receipt is about (from the message's reference), or null when the provider does not say (SendGrid).</param>
    public static (VictimState Next, ReceiptEffect Effect) Apply(VictimState victim, Channel channel, ReceiptStatus status, int? attempt, DateTimeOffset at, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        if (Privacy.RedactionRule.IsErased(victim))
        {
            return (victim, ReceiptEffect.Erased);
        }

        var message = victim.Contact[channel];
        if (NeverSent(channel, message) || attempt > message.Attempts)
        {
            return (victim, ReceiptEffect.UnknownMessage);
        }

        var latest = attempt is null || attempt == message.Attempts;
        var next = (status, ContactRule.Of(message.Status)) switch
        {
            (ReceiptStatus.FailedForGood or ReceiptStatus.NotSent, ChannelProgress.Delivered) when latest && FailsAfterDelivery(channel) =>
                MessageTransition.Settle(message, MessageStatus.Failed, MessageReason.ReportedFailed, channel == Channel.Email
                    ? "the provider reported a bounce after delivery (an asynchronous bounce)"
                    : "the provider reported the letter returned or failed after it counted as delivered"),
            (_, ChannelProgress.Delivered or ChannelProgress.Failed) => null,
            (ReceiptStatus.Delivered or ReceiptStatus.SpamReported, _) => MessageTransition.Delivered(message, at),
            (ReceiptStatus.FailedForGood, _) when latest => MessageTransition.Settle(message, MessageStatus.Failed, MessageReason.ReportedFailed,
                channel == Channel.Email ? "the provider reported a bounce or a drop" : "the provider reported a permanent failure"),
            (ReceiptStatus.NotSent, ChannelProgress.InFlight) when latest && channel != Channel.Email => AfterTechnicalFailure(channel, message),

            // Rulebook 1.2 section 6: any word from the provider about the latest send (SendGrid's processed or deferred,
            // Notify's created or sending) says it accepted it: an unknown outcome is settled as sent, never sent again.
            (ReceiptStatus.Deferred, ChannelProgress.InFlight) when latest && message.Status is MessageStatus.Sending or MessageStatus.Unconfirmed =>
                MessageTransition.Sent(message, at, message.ProviderId),
            _ => null,
        };
        return next is null
            ? (victim, ReceiptEffect.AlreadyKnown)
            : (ContactRule.Apply(victim.With(channel, next) with { UpdatedAt = now }, now, month, calendar), ReceiptEffect.Applied);
    }

    /// <summary>
    /// Rulebook 1.2 section 6: which delivered messages a provider's later report may still fail. An email: SendGrid's
    /// asynchronous bounce (the receiving server accepted it, then bounced it). A letter: Notify's returned-letter report, or
    /// a failure status after a letter counted as delivered at <c>accepted</c> (before revision 1.2). A text message's
    /// <c>delivered</c> is Notify's last word.
    /// </summary>
    public static bool FailsAfterDelivery(Channel channel) => channel != Channel.Sms;

    /// <summary>
    /// The one-off look-up after deploying revision 1.2 (<c>referrals recheck-letters</c>): a letter counted delivered when
    /// Notify reported it <c>accepted</c> (before revision 1.2) that Notify still reports waiting for the print run goes back
    /// to sent, so the status timer asks after it again until it settles. Its tally events stay (they are never retracted);
    /// <c>received</c> later counts nothing twice, and a failure counts <see cref="TallyCategories.InformedThenFailed"/>.
    /// Anything else is not this rule's: the same state.
    /// </summary>
    public static VictimState StillAccepted(VictimState victim, string notificationId)
    {
        var letter = victim.Contact.Letter;
        return Privacy.RedactionRule.IsErased(victim) || letter.Status != MessageStatus.Delivered
            || !string.Equals(letter.ProviderId, notificationId, StringComparison.OrdinalIgnoreCase)
            ? victim
            : victim.With(Channel.Letter, letter with { Status = MessageStatus.Sent, DeliveredAt = null });
    }

    /// <summary>
    /// Whether the Notify status timer should ask Notify about a text message or letter: accepted by Notify (it has
    /// Notify's id) at least <paramref name="after"/> ago, and still without a final status (its callback has not come).
    /// </summary>
    public static bool StatusCheckDue(MessageState message, DateTimeOffset now, TimeSpan after) =>
        message is { Status: MessageStatus.Sent, ProviderId.Length: > 0, SentAt: { } sent } && now - sent >= after;

    /// <summary>Never handed to the provider: an email not yet claimed (SendGrid's receipts name no send), a text message or letter without a send.</summary>
    private static bool NeverSent(Channel channel, MessageState message) =>
        message.Status is MessageStatus.NotNeeded or MessageStatus.Suppressed
        || (channel == Channel.Email ? message.Status == MessageStatus.Queued : message.Attempts == 0);
}
