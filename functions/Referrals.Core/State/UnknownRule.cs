using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>What GOV.UK Notify's records say of a send looked up by its reference (<c>GET /v2/notifications?reference=</c>).</summary>
public abstract record NotifyRecord
{
    /// <summary>Notify has it: its id, when it was created, and its status as a receipt (final or not) dated by Notify.</summary>
    public sealed record Found(Channel Reported, string NotificationId, DateTimeOffset CreatedAt, ReceiptStatus Status, DateTimeOffset At) : NotifyRecord;

    /// <summary>No notification with that reference for this key type, within the service's retention: Notify never accepted it.</summary>
    public sealed record NotFound : NotifyRecord;
}

/// <summary>What SendGrid's Email Activity API says of a send looked up by its token (<see cref="Receipts.SendGridActivity"/>).</summary>
public abstract record SendGridRecord
{
    /// <summary>SendGrid has it (it accepted the email): its status as a receipt, and <c>last_event_time</c> when SendGrid gave a time.</summary>
    public sealed record Found(ReceiptStatus Status, DateTimeOffset? At) : SendGridRecord;

    /// <summary>No message with that token in the activity feed.</summary>
    public sealed record NotFound : SendGridRecord;
}

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome": a message that may or may not have reached its provider (no answer, a dropped
/// connection, a server error, a 2xx without an id) is settled from the provider's own records, never by sending blind,
/// and never by moving on to the next channel. GOV.UK Notify: a look-up by reference with the same API key, no sooner than
/// the send timeout plus 5 minutes and within the service's retention: found, its status applies; not found, it is sent
/// again with the same reference, once. SendGrid: any event about the send settles it as accepted
/// (<see cref="ReceiptRule.Apply"/>); 24 hours of silence with a healthy webhook and <c>processed</c> and <c>deferred</c>
/// events enabled settles it as not accepted: it is sent once more, with a new token; where the force has SendGrid's Email
/// Activity API, its answer settles it instead (<see cref="AfterActivityLookup"/>). Whatever cannot be settled so
/// stays unconfirmed as <see cref="MessageReason.Unsettled"/>, and the Victim Care Unit gets a ContactNeeded task
/// (<see cref="Tasks.TaskConditions.ContactNeeded"/>).
/// </summary>
public static class UnknownRule
{
    /// <summary>Notify: the look-up waits this long after the send's timeout.</summary>
    public static readonly TimeSpan AfterTimeout = TimeSpan.FromMinutes(5);

    /// <summary>SendGrid retries its Event Webhook for 24 hours after an event: silence that long, healthy, means no event.</summary>
    public static readonly TimeSpan SendGridSilence = TimeSpan.FromHours(24);

    /// <summary>
    /// SendGrid's Email Activity API: how long after the send a "not found" is believed. SendGrid documents no delay before
    /// a message shows in the activity feed; it is not immediate, so an email is looked up only this long after its send,
    /// once (a look-up sooner could only be asked again, spending the API's 6 requests a minute).
    /// </summary>
    public static readonly TimeSpan ActivityIndexingDelay = TimeSpan.FromHours(2);

    /// <summary>At most this many sends again after an unknown outcome settled as not accepted.</summary>
    public const int MaxResends = 1;

    /// <summary>Whether the message's outcome is unknown and still to be settled (not yet given up as unsettled).</summary>
    public static bool Unknown(MessageState message) => message is { Status: MessageStatus.Unconfirmed } && message.Reason != MessageReason.Unsettled;

    /// <summary>
    /// An unknown outcome the provider's records could not settle (it stays unconfirmed), or a message Notify accepted that
    /// had no final status when Notify's retention ended (it stays sent): a ContactNeeded task is raised.
    /// </summary>
    public static bool Unsettled(MessageState message) => message is { Status: MessageStatus.Unconfirmed or MessageStatus.Sent, Reason: MessageReason.Unsettled };

    /// <summary>
    /// When the provider's records may first be asked about the latest send: Notify, its timeout plus 5 minutes after it;
    /// SendGrid, 24 hours after it, or with its Email Activity API <see cref="ActivityIndexingDelay"/> after it (never
    /// sooner than Notify's wait).
    /// </summary>
    public static DateTimeOffset DueAt(Channel channel, DateTimeOffset attemptedAt, TimeSpan timeout, bool activityApi = false) =>
        channel != Channel.Email ? attemptedAt + timeout + AfterTimeout
        : activityApi ? attemptedAt + Max(ActivityIndexingDelay, timeout + AfterTimeout)
        : attemptedAt + SendGridSilence;

    /// <summary>
    /// GOV.UK Notify's answer about the latest send of a text message or letter whose outcome is unknown. Found: accepted
    /// (sent, with Notify's id, dated when Notify created it), and its status applied as a receipt. Not found: queued
    /// again to go with the same reference (the same send), once; a second time, unsettled. Anything else is not this
    /// rule's: the same state.
    /// </summary>
    public static VictimState AfterNotifyLookup(VictimState victim, Channel channel, int attempt, NotifyRecord record, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var message = victim.Contact[channel];
        if (channel == Channel.Email || !Unknown(message) || message.Attempts != attempt || Privacy.RedactionRule.IsErased(victim))
        {
            return victim;
        }

        switch (record)
        {
            case NotifyRecord.Found found when found.Reported != channel:
                return Unsettle(victim, channel, $"Notify's record of this reference is a {found.Reported.Noun()}, not a {channel.Noun()}: check it with Notify", now, month, calendar);
            case NotifyRecord.Found found:
                var sent = victim.With(channel, MessageTransition.Sent(message, found.CreatedAt, found.NotificationId)) with { UpdatedAt = now };
                var identity = new NotifyReceiptIdentity(channel, attempt, found.Reported, found.NotificationId);
                var (next, effect, _) = found.Status == ReceiptStatus.Deferred
                    ? (sent, ReceiptEffect.AlreadyKnown, string.Empty)
                    : ReceiptRule.ApplyNotify(sent, identity, found.Status, found.At, now, month, calendar);
                return effect == ReceiptEffect.Applied ? next : ContactRule.Apply(sent, now, month, calendar);
            default:
                if (message.Resends >= MaxResends)
                {
                    return Unsettle(victim, channel, $"Notify had no record of send {attempt} after it was sent again with the same reference", now, month, calendar);
                }

                // The same send again: the claim counts it as send {attempt} once more, so it carries the same reference.
                var again = MessageTransition.Settle(message, MessageStatus.Queued, MessageReason.OutcomeUnknown,
                    $"Notify had no record of send {attempt} (looked up by its reference): sent again with the same reference, once") with
                { Attempts = attempt - 1, Resends = message.Resends + 1 };
                return ContactRule.Apply(victim.With(channel, again) with { UpdatedAt = now }, now, month, calendar);
        }
    }

    /// <summary>
    /// SendGrid, 24 hours after the latest send of an email whose outcome is unknown, with no event about it since (any
    /// event settles it as accepted). Sent once more (a new send, with its own token) when the silence counts: the
    /// webhook endpoint was answering throughout, and <c>processed</c> and <c>deferred</c> events are enabled; otherwise,
    /// or after one resend already, unsettled.
    /// </summary>
    /// <param name="eventsEnabled">The force has turned on SendGrid's processed and deferred events (a setting it attests).</param>
    /// <param name="webhookHealthy">The webhook's recorded health over the 24 hours after the send (<see cref="WebhookHealthRule"/>).</param>
    public static VictimState AfterSilence(VictimState victim, int attempt, bool eventsEnabled, bool webhookHealthy, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var message = victim.Contact.Email;
        if (!Unknown(message) || message.Attempts != attempt || message.AttemptedAt is not { } at || now < at + SendGridSilence || Privacy.RedactionRule.IsErased(victim))
        {
            return victim;
        }

        var why = !eventsEnabled ? "SendGrid's processed and deferred events are not enabled (SendGrid:ProcessedAndDeferredEvents), so silence says nothing"
            : !webhookHealthy ? "the webhook endpoint was not shown answering throughout the 24 hours after the send, so silence says nothing"
            : message.Resends >= MaxResends ? "no event about it in 24 hours after it was already sent once more"
            : null;
        if (why is not null)
        {
            return Unsettle(victim, Channel.Email, why + ": check SendGrid's activity feed", now, month, calendar);
        }

        var again = MessageTransition.Settle(message, MessageStatus.Queued, MessageReason.OutcomeUnknown,
            $"no SendGrid event about send {attempt} in 24 hours with the webhook answering: sent once more") with
        { Resends = message.Resends + 1 };
        return ContactRule.Apply(victim.With(Channel.Email, again) with { UpdatedAt = now }, now, month, calendar);
    }

    /// <summary>
    /// SendGrid's Email Activity API's answer about the latest send of an email whose outcome is unknown, asked
    /// <see cref="ActivityIndexingDelay"/> after it. Found: accepted (sent, dated by the send), and a <c>delivered</c> or
    /// <c>not_delivered</c> applied as the webhook's <c>delivered</c> or bounce would be, dated by SendGrid's
    /// <c>last_event_time</c> (kept between the send and now); a <c>delivered</c> without a time stays sent, awaiting its
    /// events. Not found: sent once more with a new token, as after silence; after one resend already, unsettled. Asked too
    /// soon, or anything else not this rule's: the same state.
    /// </summary>
    public static VictimState AfterActivityLookup(VictimState victim, int attempt, SendGridRecord record, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var message = victim.Contact.Email;
        if (!Unknown(message) || message.Attempts != attempt || message.AttemptedAt is not { } at || now < at + ActivityIndexingDelay || Privacy.RedactionRule.IsErased(victim))
        {
            return victim;
        }

        if (record is SendGridRecord.Found found)
        {
            var sent = victim.With(Channel.Email, MessageTransition.Sent(message, at, message.ProviderId)) with { UpdatedAt = now };
            var final = found.Status is ReceiptStatus.FailedForGood || (found is { Status: ReceiptStatus.Delivered or ReceiptStatus.SpamReported, At: not null });
            var dated = found.At is { } when ? (when < at ? at : when > now ? now : when) : at;
            var (next, effect) = final ? ReceiptRule.Apply(sent, Channel.Email, found.Status, attempt, dated, now, month, calendar) : (sent, ReceiptEffect.AlreadyKnown);
            return effect == ReceiptEffect.Applied ? next : ContactRule.Apply(sent, now, month, calendar);
        }

        if (message.Resends >= MaxResends)
        {
            return Unsettle(victim, Channel.Email, $"SendGrid's Email Activity API had no record of send {attempt}, already sent once more: check SendGrid's activity feed", now, month, calendar);
        }

        var again = MessageTransition.Settle(message, MessageStatus.Queued, MessageReason.OutcomeUnknown,
            $"SendGrid's Email Activity API had no record of send {attempt} {ActivityIndexingDelay.TotalHours:0} hours after it: sent once more") with
        { Resends = message.Resends + 1 };
        return ContactRule.Apply(victim.With(Channel.Email, again) with { UpdatedAt = now }, now, month, calendar);
    }

    /// <summary>
    /// Unsettled: an unknown outcome the provider's records cannot settle (past Notify's retention, an answer that cannot be
    /// used), or a message Notify accepted still without a final status when its retention ends. The status stays as it is.
    /// </summary>
    public static VictimState Unsettle(VictimState victim, Channel channel, string why, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var message = victim.Contact[channel];
        return message.Status is not (MessageStatus.Unconfirmed or MessageStatus.Sent) || Unsettled(message) || Privacy.RedactionRule.IsErased(victim)
            ? victim
            : ContactRule.Apply(victim.With(channel, MessageTransition.Settle(message, message.Status, MessageReason.Unsettled, $"{UnsettledPrefix}{why}")) with { UpdatedAt = now }, now, month, calendar);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>How an unsettled message's stored detail starts, so it reads back as <see cref="MessageReason.Unsettled"/>.</summary>
    public const string UnsettledPrefix = "not settled by the provider's records: ";
}
