using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Rules;
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
/// Rulebook 1.1 section 6 across snapshots and receipts: the information goes by the first safe channel not yet used;
/// one that fails for good passes it to the next; none starts while another is in flight or once one is delivered; and
/// when no safe channel is left the Victim Care Unit gets a ContactNeeded task, once ever (the task set only grows).
/// Worked out again with every snapshot and every receipt, until the information is delivered.
/// </summary>
public static class ContactRule
{
    /// <summary>The reason on a safe channel left unused because another one is in flight or delivered.</summary>
    public const string AnotherChannel = "AnotherChannel";

    public static ChannelProgress Of(EmailStatus status) => status switch
    {
        EmailStatus.Sending or EmailStatus.Sent or EmailStatus.Unconfirmed => ChannelProgress.InFlight,
        EmailStatus.Delivered => ChannelProgress.Delivered,
        EmailStatus.Failed => ChannelProgress.Failed,
        _ => ChannelProgress.Open,
    };

    public static ChannelProgress Of(MessageStatus status) => status switch
    {
        MessageStatus.Sending or MessageStatus.Sent or MessageStatus.Unconfirmed => ChannelProgress.InFlight,
        MessageStatus.Delivered => ChannelProgress.Delivered,
        MessageStatus.Failed => ChannelProgress.Failed,
        _ => ChannelProgress.Open,
    };

    public static ChannelProgress Of(VictimState victim, Channel channel) => channel switch
    {
        Channel.Email => Of(victim.Email.Status),
        Channel.Sms => Of(victim.Contact.Sms.Status),
        _ => Of(victim.Contact.Letter.Status),
    };

    public static MessageState Message(VictimState victim, Channel channel) =>
        channel == Channel.Sms ? victim.Contact.Sms : victim.Contact.Letter;

    /// <summary>The channel the information goes by now (queued or to be queued); null when it is in flight, delivered, or no safe channel is left.</summary>
    public static Channel? Target(VictimState victim)
    {
        var progress = ChannelNames.InOrder.Select(c => Of(victim, c)).ToList();
        return progress.Any(p => p is ChannelProgress.InFlight or ChannelProgress.Delivered)
            ? null
            : victim.Contact.Plan.FirstOrDefault(l => l.Safe && Of(victim, l.Channel) == ChannelProgress.Open)?.Channel;
    }

    /// <summary>The victim's channels and tasks after a change of plan, a failure or a receipt.</summary>
    /// <param name="calendar">The working days the time to inform is counted in.</param>
    public static VictimState Apply(VictimState victim, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        var plan = victim.Contact.Plan;
        if (plan.Count == 0)
        {
            return victim; // A row from before revision 1.1: email only, as it was decided then.
        }

        // The information counts in the month it was first asked for: a channel the plan falls back to later keeps it.
        month = new[] { victim.Email.Month, victim.Contact.Sms.Month, victim.Contact.Letter.Month }.Where(m => m is not null).Select(m => m!.Value).DefaultIfEmpty(month).Min();
        var busy = ChannelNames.InOrder.Any(c => Of(victim, c) is ChannelProgress.InFlight or ChannelProgress.Delivered);
        var target = Target(victim);
        var recipient = victim.Contact.Recipient;
        PlanLine Line(Channel c) => plan.First(l => l.Channel == c);

        var email = victim.Email;
        if (Of(email.Status) == ChannelProgress.Open)
        {
            var line = Line(Channel.Email);
            email = target == Channel.Email ? EmailRule.Next(email, EmailDecision.SendTo(recipient!.Value, string.Empty), now, month)
                : line.Reason is { } reason ? EmailRule.Next(email, EmailDecision.Suppress(Enum.Parse<EmailSuppression>(reason.ToString())), now, month)
                : email with { Status = EmailStatus.Suppressed, Reason = AnotherChannel, Recipient = null, QueuedAt = null };
        }

        MessageState Next(Channel channel, MessageState message)
        {
            if (Of(message.Status) != ChannelProgress.Open)
            {
                return message;
            }

            if (target == channel)
            {
                // Queued keeps the time and month it was first queued: the month it counts in.
                return message.Status == MessageStatus.Queued
                    ? message with { Reason = null, Recipient = recipient }
                    : message with { Status = MessageStatus.Queued, Reason = null, Recipient = recipient, QueuedAt = now, Month = month };
            }

            return message with
            {
                Status = Line(channel).Reason is null ? MessageStatus.NotNeeded : MessageStatus.Suppressed,
                Reason = Line(channel).Reason?.ToString() ?? AnotherChannel,
                Recipient = null,
                QueuedAt = null,
            };
        }

        var tasks = victim.VcuTasks;
        if (!busy && target is null && !victim.Contact.FamilyLiaison)
        {
            tasks = tasks.Add(DeliveryKind.ContactNeeded);
        }

        var next = victim with
        {
            Email = email,
            Contact = victim.Contact with { Sms = Next(Channel.Sms, victim.Contact.Sms), Letter = Next(Channel.Letter, victim.Contact.Letter) },
            VcuTasks = tasks,
        };
        return next with { Counted = TallyRule.ContactCounted(next, month, calendar) };
    }
}
