using System.Collections.Immutable;
using Referrals.Contact;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Tests.State;

/// <summary>
/// The stored contact plan's own behaviour: equal by value (the plan's lines compared one by one, so a state read back
/// from its row equals the one written and a redelivery finds nothing changed), a line per channel, the family liaison
/// officer's plan, and the state a victim starts from.
/// </summary>
public class ContactStateTests
{
    private static ImmutableList<PlanLine> Plan(MessageReason? sms = null) =>
        [new PlanLine(Channel.Email, null), new PlanLine(Channel.Sms, sms), new PlanLine(Channel.Letter, MessageReason.NoSafeRecipient)];

    private static ContactState State() =>
        new(Plan(), EmailRecipient.Victim, new MessageState(MessageStatus.Sent, Attempts: 1), MessageState.NotNeeded, MessageState.NotNeeded, false);

    [Fact]
    public void Two_states_built_apart_from_equal_lines_are_equal_and_hash_alike()
    {
        var (one, other) = (State(), State());

        Assert.NotSame(one.Plan, other.Plan);
        Assert.Equal(one, other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
    }

    [Fact]
    public void A_state_is_not_equal_to_null_or_to_one_that_differs_in_any_field()
    {
        var one = State();
        ContactState[] others =
        [
            one with { Plan = Plan(sms: MessageReason.NoSafeRecipient) },
            one with { Recipient = EmailRecipient.ParentOrGuardian },
            one with { Email = new MessageState(MessageStatus.Delivered, Attempts: 1) },
            one with { Sms = MessageState.Suppressed },
            one with { Letter = MessageState.Suppressed },
            one with { Held = true },
        ];

        Assert.False(one.Equals(null));
        Assert.All(others, other => Assert.NotEqual(one, other));
        Assert.Equal(one, one with { });
    }

    [Fact]
    public void Each_channel_has_its_line_and_a_row_from_before_revision_1_1_has_none()
    {
        var state = State();

        Assert.Equal(new PlanLine(Channel.Letter, MessageReason.NoSafeRecipient), state.Line(Channel.Letter));
        Assert.True(state.Line(Channel.Email)!.Safe);
        Assert.Null(ContactState.None.Line(Channel.Email));
    }

    [Fact]
    public void The_family_liaison_officer_informs_when_any_line_says_so()
    {
        Assert.True((State() with { Plan = Plan(sms: MessageReason.FamilyLiaison) }).FamilyLiaison);
        Assert.False(State().FamilyLiaison);
    }

    [Fact]
    public void A_victim_starts_with_no_plan_the_email_suppressed_and_nothing_held()
    {
        var none = ContactState.None;

        Assert.Equal((0, (EmailRecipient?)null, MessageStatus.Suppressed, MessageStatus.NotNeeded, MessageStatus.NotNeeded, false),
            (none.Plan.Count, none.Recipient, none.Email.Status, none.Sms.Status, none.Letter.Status, none.Held));
    }
}
