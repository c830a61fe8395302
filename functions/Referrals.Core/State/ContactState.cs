using System.Collections.Immutable;
using Referrals.Contact;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>One channel of the stored contact plan: safe, or why not. No contact detail: those are read from the latest snapshot when sending.</summary>
public sealed record PlanLine(Channel Channel, ChannelReason? Reason)
{
    public bool Safe => Reason is null;
}

/// <summary>A text message or a letter sent through GOV.UK Notify.</summary>
/// <param name="Reason">Why it is not needed, suppressed or failed.</param>
/// <param name="NotificationId">Notify's id for the latest send, from its 201 answer or the first receipt applied to it; cleared when a send is claimed.</param>
/// <param name="Month">The Europe/London month of the change that queued it: the month it counts in.</param>
/// <param name="Attempts">Sends so far: only a text message Notify says it never sent (technical-failure) is sent again, at most 3 sends in all (<see cref="ReceiptRule.MaxTextSends"/>).</param>
public sealed record MessageState(
    MessageStatus Status,
    string? Reason = null,
    EmailRecipient? Recipient = null,
    DateTimeOffset? QueuedAt = null,
    DateTimeOffset? AttemptedAt = null,
    DateTimeOffset? SentAt = null,
    DateTimeOffset? DeliveredAt = null,
    string? NotificationId = null,
    Month? Month = null,
    int Attempts = 0)
{
    public static readonly MessageState NotNeeded = new(MessageStatus.NotNeeded);
}

/// <summary>
/// Rulebook 1.1 sections 6 and 9 in a victim's state: the latest snapshot's plan, the text message and the letter (the
/// email is <see cref="VictimState.Email"/>), and whether the crime is held.
/// </summary>
/// <param name="Plan">Email, text message, letter, in order; empty for a row stored before revision 1.1 (email only).</param>
public sealed record ContactState(ImmutableList<PlanLine> Plan, EmailRecipient? Recipient, MessageState Sms, MessageState Letter, bool Held)
{
    public static readonly ContactState None = new([], null, MessageState.NotNeeded, MessageState.NotNeeded, false);

    public bool FamilyLiaison => Plan.Any(l => l.Reason == ChannelReason.FamilyLiaison);

    public static ContactState Of(ContactPlan plan, ContactState? previous, bool held) =>
        (previous ?? None) with { Plan = [.. plan.Lines.Select(l => new PlanLine(l.Channel, l.Reason))], Recipient = plan.Recipient, Held = held };

    public bool Equals(ContactState? other) =>
        other is not null && Plan.SequenceEqual(other.Plan) && Recipient == other.Recipient && Sms == other.Sms && Letter == other.Letter && Held == other.Held;

    public override int GetHashCode() => HashCode.Combine(Plan.Count, Recipient, Sms, Letter, Held);
}
