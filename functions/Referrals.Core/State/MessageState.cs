using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>
/// Why an entitlement message is where it is (stored and tallied by name). The first seven are the contact plan's, in
/// the order rulebook section 6 checks them; a message's <see cref="MessageState.Detail"/> carries the provider's or
/// the pipeline's own words where there are any.
/// </summary>
public enum MessageReason
{
    /// <summary>A bereaved relative after a homicide: the family liaison officer gives the information in person, on every channel.</summary>
    FamilyLiaison,

    /// <summary>A child victim with no parent or guardian who may be written to.</summary>
    NoSafeRecipient,

    /// <summary>No valid email address: none, or one treated as absent.</summary>
    NoEmailAddress,

    /// <summary>No mobile number GOV.UK Notify would text (or a 070 personal number).</summary>
    NoMobileNumber,

    /// <summary>No postal address GOV.UK Notify would print.</summary>
    NoPostalAddress,

    /// <summary>The channel's flag says it is not safe to use.</summary>
    UnsafeToContact,

    /// <summary>Consent pathway, stalking or harassment, and the channel is not confirmed safe.</summary>
    NotConfirmedSafe,

    /// <summary>Safe, but the information goes, or went, by another channel (one at a time).</summary>
    AnotherChannel,

    /// <summary>The crime's latest snapshot no longer lists the victim: nothing is sent.</summary>
    NotInLatestSnapshot,

    /// <summary>An operator erased the victim's personal data: nothing is sent.</summary>
    Erased,

    /// <summary>The provider refused it for good (a 4xx, or a redirect never followed); the detail has its words.</summary>
    Refused,

    /// <summary>Not accepted after every delivery of its work item; the detail has the last answer.</summary>
    RetriesExhausted,

    /// <summary>It may have reached the provider: the detail says what to check. Never sent again automatically.</summary>
    OutcomeUnknown,

    /// <summary>The provider's receipt said it failed for good (a bounce, a drop, a permanent or temporary failure).</summary>
    ReportedFailed,

    /// <summary>GOV.UK Notify said it never sent it (<c>technical-failure</c>): sent again, or failed for good (rulebook 1.2 section 6).</summary>
    TechnicalFailure,

    /// <summary>
    /// Its outcome is unknown and the provider's records could not settle it (rulebook 1.2 section 6, "Unknown outcome"):
    /// it stays unconfirmed, no later channel is used, and the Victim Care Unit gets a ContactNeeded task.
    /// </summary>
    Unsettled,
}

/// <summary>
/// One entitlement message (an email, a text message or a letter) and how far it has got. The same record for every
/// channel: what differs between them is in the rules (<see cref="ContactRule"/>, <see cref="ReceiptRule"/>).
/// </summary>
/// <param name="Reason">Why it is not needed, suppressed, failed, unconfirmed or sent again.</param>
/// <param name="Detail">The provider's or the pipeline's words about <paramref name="Reason"/> (a refusal, what to check); none for the plan's reasons.</param>
/// <param name="Recipient">Who it is written to (the victim, or a child's parent or guardian) while it is queued.</param>
/// <param name="Month">The Europe/London month of the change that queued it: the month it counts in.</param>
/// <param name="ProviderId">The provider's id of the latest send: SendGrid's <c>X-Message-Id</c>, GOV.UK Notify's notification id (from its 201 answer or the first receipt applied to the send).</param>
/// <param name="Attempts">Sends so far: only a text message Notify says it never sent is sent again, at most <see cref="ReceiptRule.MaxTextSends"/> sends in all.</param>
/// <param name="Resends">Sends again after an unknown outcome the provider's records settled as not accepted (<see cref="UnknownRule"/>): at most one.</param>
public sealed record MessageState(
    MessageStatus Status,
    MessageReason? Reason = null,
    string? Detail = null,
    EmailRecipient? Recipient = null,
    DateTimeOffset? QueuedAt = null,
    DateTimeOffset? AttemptedAt = null,
    DateTimeOffset? SentAt = null,
    DateTimeOffset? DeliveredAt = null,
    string? ProviderId = null,
    Month? Month = null,
    int Attempts = 0,
    int Resends = 0)
{
    /// <summary>A text message or letter not used.</summary>
    public static readonly MessageState NotNeeded = new(MessageStatus.NotNeeded);

    /// <summary>An email not (yet) decided.</summary>
    public static readonly MessageState Suppressed = new(MessageStatus.Suppressed);

    /// <summary>What a person reads as the reason: the detail, else the reason's name (as stored and audited).</summary>
    public string? ReasonText => Detail ?? Reason?.ToString();
}

/// <summary>
/// A message's changes of status, with the times, counts and reasons that go with them, and the moves the rulebook
/// allows (<see cref="Allowed"/>). Every change of a message is one of these.
/// </summary>
public static class MessageTransition
{
    /// <summary>
    /// Rulebook 1.2 section 6: not sent (suppressed, not needed) and queued follow the latest snapshot; queued → sending (a
    /// claim); sending → sent, failed, unconfirmed, or queued again (not accepted, worth another try); sending, sent or
    /// unconfirmed → delivered or failed by a receipt; unconfirmed → sent when the provider's records settle it as accepted
    /// (<see cref="UnknownRule"/>), or queued again when they settle it as not accepted; a text message Notify never sent (technical failure) is not sent, so
    /// it is queued again or, when the latest snapshot no longer allows it, suppressed or not needed (and a receipt about
    /// that send, coming later, may still settle it while it waits to be sent again: receipts come in any order); an operator's replay
    /// queues a failed message (or an unconfirmed email) again; erasure suppresses what was not sent. Delivered is final
    /// but for a provider's after-the-fact report, which fails it (an email's asynchronous bounce, a returned letter:
    /// <see cref="ReceiptRule.FailsAfterDelivery"/>), and a letter counted delivered at Notify's <c>accepted</c> before
    /// revision 1.2, which the one-off look-up finds still waiting for the print run, goes back to sent.
    /// </summary>
    public static bool Allowed(MessageStatus from, MessageStatus to) => from == to || (from, to) switch
    {
        (MessageStatus.NotNeeded or MessageStatus.Suppressed or MessageStatus.Queued, MessageStatus.NotNeeded or MessageStatus.Suppressed or MessageStatus.Queued) => true,
        (MessageStatus.Queued, MessageStatus.Sending) => true,
        (MessageStatus.Sending, MessageStatus.Sent or MessageStatus.Unconfirmed) => true,
        (MessageStatus.Unconfirmed, MessageStatus.Sent) => true,
        (MessageStatus.Queued or MessageStatus.Sending or MessageStatus.Sent or MessageStatus.Unconfirmed, MessageStatus.Delivered or MessageStatus.Failed) => true,
        (MessageStatus.Sending or MessageStatus.Sent or MessageStatus.Unconfirmed, MessageStatus.Queued or MessageStatus.Suppressed or MessageStatus.NotNeeded) => true,
        (MessageStatus.Failed, MessageStatus.Queued or MessageStatus.Suppressed) => true,
        (MessageStatus.Delivered, MessageStatus.Failed or MessageStatus.Sent) => true,
        _ => false,
    };

    /// <summary>Queued for <paramref name="recipient"/>; one already queued keeps the time and month it was first queued (the month it counts in).</summary>
    public static MessageState Queue(MessageState message, EmailRecipient? recipient, DateTimeOffset now, Month month) =>
        message.Status == MessageStatus.Queued
            ? message with { Reason = null, Detail = null, Recipient = recipient }
            : message with { Status = MessageStatus.Queued, Reason = null, Detail = null, Recipient = recipient, QueuedAt = now, Month = month };

    /// <summary>Not sent now, for <paramref name="reason"/> (a later snapshot may change it).</summary>
    public static MessageState Suppress(MessageState message, MessageReason reason, MessageStatus status = MessageStatus.Suppressed) =>
        message with { Status = status, Reason = reason, Detail = null, Recipient = null, QueuedAt = null };

    /// <summary>A new send: the id of an earlier one no longer names the latest send.</summary>
    public static MessageState Claim(MessageState message, DateTimeOffset now) =>
        message with { Status = MessageStatus.Sending, AttemptedAt = now, Attempts = message.Attempts + 1, ProviderId = null };

    public static MessageState Sent(MessageState message, DateTimeOffset now, string? providerId) =>
        message with { Status = MessageStatus.Sent, SentAt = now, ProviderId = providerId, Reason = null, Detail = null };

    public static MessageState Delivered(MessageState message, DateTimeOffset at) =>
        message with { Status = MessageStatus.Delivered, DeliveredAt = at, Reason = null, Detail = null };

    /// <summary>Failed for good, unconfirmed, or queued again, for a reason with its words.</summary>
    public static MessageState Settle(MessageState message, MessageStatus status, MessageReason? reason, string? detail) =>
        message with { Status = status, Reason = reason, Detail = detail };
}
