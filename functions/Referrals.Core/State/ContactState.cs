using System.Collections.Immutable;
using Referrals.Contact;
using Referrals.Rules;

namespace Referrals.State;

/// <summary>One channel of the stored contact plan: safe, or why not. No contact detail: those are read from the latest snapshot when sending.</summary>
public sealed record PlanLine(Channel Channel, MessageReason? Reason)
{
    public bool Safe => Reason is null;
}

/// <summary>
/// Rulebook sections 6 and 9 in a victim's state: the latest snapshot's plan, the entitlement message on each channel
/// (email, text message, letter), and whether the crime is held.
/// </summary>
/// <param name="Plan">Email, text message, letter, in order; empty for a row stored before revision 1.1 (email only).</param>
public sealed record ContactState(ImmutableList<PlanLine> Plan, EmailRecipient? Recipient, MessageState Email, MessageState Sms, MessageState Letter, bool Held)
{
    public static readonly ContactState None = new([], null, MessageState.Suppressed, MessageState.NotNeeded, MessageState.NotNeeded, false);

    public MessageState this[Channel channel] => channel switch
    {
        Channel.Email => Email,
        Channel.Sms => Sms,
        _ => Letter,
    };

    public bool FamilyLiaison => Plan.Any(l => l.Reason == MessageReason.FamilyLiaison);

    /// <summary>The plan's line for the channel; a row from before revision 1.1 has none.</summary>
    public PlanLine? Line(Channel channel) => Plan.FirstOrDefault(l => l.Channel == channel);

    public ContactState With(Channel channel, MessageState message) => channel switch
    {
        Channel.Email => this with { Email = message },
        Channel.Sms => this with { Sms = message },
        _ => this with { Letter = message },
    };

    public static ContactState Of(ContactPlan plan, ContactState? previous, bool held) =>
        (previous ?? None) with { Plan = [.. plan.Lines.Select(l => new PlanLine(l.Channel, l.Reason))], Recipient = plan.Recipient, Held = held };

    public bool Equals(ContactState? other) =>
        other is not null && Plan.SequenceEqual(other.Plan) && Recipient == other.Recipient && Email == other.Email && Sms == other.Sms && Letter == other.Letter && Held == other.Held;

    public override int GetHashCode() => HashCode.Combine(Plan.Count, Recipient, Email, Sms, Letter, Held);
}
