using System.Collections.Immutable;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>How far the information has got on one channel.</summary>
public enum ChannelProgress
{
    /// <summary>Not sent: suppressed, not needed, or queued and not yet claimed. A later snapshot may still change it.</summary>
    Open,

    /// <summary>Being sent, sent and awaiting its receipt, or possibly sent: no other channel starts meanwhile.</summary>
    InFlight,

    Delivered,

    /// <summary>Failed for good: never used again; the next safe channel is.</summary>
    Failed,
}

/// <summary>
/// Rulebook section 6 across snapshots, sends and receipts: the information goes by the first safe channel not yet used;
/// one that fails for good passes it to the next; none starts while another is in flight or once one is delivered; and
/// when no safe channel is left the Victim Care Unit gets a ContactNeeded task (<see cref="Tasks.TaskRule"/>), withdrawn
/// once the information is delivered.
/// Worked out again with every snapshot, send and receipt, until the information is delivered.
/// </summary>
public static class ContactRule
{
    public static ChannelProgress Of(MessageStatus status) => status switch
    {
        MessageStatus.Sending or MessageStatus.Sent or MessageStatus.Unconfirmed => ChannelProgress.InFlight,
        MessageStatus.Delivered => ChannelProgress.Delivered,
        MessageStatus.Failed => ChannelProgress.Failed,
        _ => ChannelProgress.Open,
    };

    public static ChannelProgress Of(VictimState victim, Channel channel) => Of(victim.Contact[channel].Status);

    /// <summary>The channel the information goes by now (queued or to be queued); null when it is in flight, delivered, or no safe channel is left.</summary>
    public static Channel? Target(VictimState victim) =>
        ChannelNames.InOrder.Any(c => Of(victim, c) is ChannelProgress.InFlight or ChannelProgress.Delivered)
            ? null
            : victim.Contact.Plan.FirstOrDefault(l => l.Safe && Of(victim, l.Channel) == ChannelProgress.Open)?.Channel;

    /// <summary>The victim's channels and tasks after a change of plan, a send or a receipt.</summary>
    /// <param name="calendar">The working days the time to inform is counted in (and tasks' due times).</param>
    /// <param name="newTaskId">Ids for tasks raised now (default: random).</param>
    public static VictimState Apply(VictimState victim, DateTimeOffset now, Month month, WorkingDayCalendar calendar, Func<DateTimeOffset, string>? newTaskId = null)
    {
        var contact = victim.Contact;
        if (contact.Plan.Count == 0)
        {
            return victim; // A row from before revision 1.1: email only, as it was decided then.
        }

        // The information counts in the month it was first asked for: a channel the plan falls back to later keeps it. A
        // failure after delivery counts in the month it is learnt (rulebook 1.2 section 12).
        var learnt = month;
        month = ChannelNames.InOrder.Any(c => FailedAfterDelivery(victim, c))
            ? learnt
            : ChannelNames.InOrder.Select(c => contact[c].Month).OfType<Month>().DefaultIfEmpty(month).Min();
        var target = Target(victim);
        foreach (var channel in ChannelNames.InOrder.Where(c => Of(victim, c) == ChannelProgress.Open))
        {
            var message = contact[channel];
            contact = contact.With(channel, target == channel ? MessageTransition.Queue(message, contact.Recipient, now, month)
                : contact.Line(channel)?.Reason is { } reason ? MessageTransition.Suppress(message, reason)
                : MessageTransition.Suppress(message, MessageReason.AnotherChannel, NotUsed(channel)));
        }

        // Rulebook 1.2 section 10: the Victim Care Unit's tasks follow the new state (a ContactNeeded task when no safe
        // channel is left, withdrawn once the information is delivered).
        var next = Tasks.TaskRule.Reconcile(victim with { Contact = contact }, now, calendar, newTaskId);
        return next with { Counted = TallyRule.ContactCounted(next, month, calendar, learnt) };
    }

    /// <summary>
    /// The result of one send recorded on the victim's state, then the plan worked out again (a failure passes the
    /// information to the next safe channel). Only the send claimed is settled: a receipt that came first (a status
    /// never goes back; a technical failure already queued the next send), or a later send, is not this one's to settle.
    /// An email sent counts as sent (EmailsSent) in the same change, whatever came first.
    /// </summary>
    /// <param name="attempt">The send claimed (<see cref="MessageState.Attempts"/> after the claim).</param>
    public static VictimState AfterSend(VictimState victim, Channel channel, int attempt, Settlement settled, string? providerId, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var message = victim.Contact[channel];

        // An email SendGrid accepted counts as sent, once, even when its receipt was applied before this result.
        var counted = settled.As == Settled.Done && channel == Channel.Email && !victim.Counted.ContainsKey(TallyCategories.EmailsSent)
            ? victim with { Counted = victim.Counted.Add(TallyCategories.EmailsSent, message.Month ?? month) }
            : victim;
        if (message.Status is not (MessageStatus.Sending or MessageStatus.Unconfirmed) || message.Attempts != attempt)
        {
            return counted;
        }

        var next = settled.As switch
        {
            Settled.Done => MessageTransition.Sent(message, now, providerId),
            Settled.Retry => message with { Status = MessageStatus.Queued },
            Settled.Failed => MessageTransition.Settle(message, MessageStatus.Failed, settled.Reason, settled.Detail),
            _ => MessageTransition.Settle(message, MessageStatus.Unconfirmed, settled.Reason, settled.Detail),
        };
        return Apply(counted.With(channel, next), now, month, calendar);
    }

    /// <summary>
    /// When its turn came, the crime's latest snapshot, decided again, allows no message on the channel (its plan's reason)
    /// or no longer lists the victim: the message is suppressed. A channel the latest snapshot makes unsafe is marked so in
    /// the plan, which moves on to the next safe channel (or a ContactNeeded task); for a victim no longer listed, nothing
    /// else is sent.
    /// </summary>
    public static VictimState NotSendable(VictimState victim, Channel channel, MessageReason reason, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        if (Of(victim, channel) != ChannelProgress.Open)
        {
            return victim; // Changed meanwhile: not this step's to settle.
        }

        var suppressed = victim.With(channel, MessageTransition.Suppress(victim.Contact[channel], reason));
        if (reason == MessageReason.NotInLatestSnapshot || suppressed.Contact.Line(channel) is null)
        {
            return suppressed;
        }

        var plan = suppressed.Contact.Plan.Select(l => l.Channel == channel ? l with { Reason = reason } : l).ToImmutableList();
        return Apply(suppressed with { Contact = suppressed.Contact with { Plan = plan } }, now, month, calendar);
    }

    /// <summary>
    /// A channel counted delivered that failed after the fact (rulebook 1.2 section 12): what follows (the next channel, a
    /// ContactNeeded task) counts in the month it was learnt, so no earlier month is rewritten.
    /// </summary>
    public static bool FailedAfterDelivery(VictimState victim, Channel channel) =>
        Of(victim, channel) == ChannelProgress.Failed && victim.Counted.ContainsKey(TallyCategories.InformedBy(channel));

    /// <summary>A safe channel left unused: an email has always been stored as suppressed (AnotherChannel), a text message or letter as not needed.</summary>
    private static MessageStatus NotUsed(Channel channel) => channel == Channel.Email ? MessageStatus.Suppressed : MessageStatus.NotNeeded;
}
