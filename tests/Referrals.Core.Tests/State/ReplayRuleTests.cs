using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tests.Contact;

namespace Referrals.Tests.State;

/// <summary>An operator's replay of a dead letter sends again only what may be sent again, and otherwise says why not.</summary>
public class ReplayRuleTests
{
    private static VictimState TextFirst() => ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false));

    private static VictimState WithText(VictimState v, MessageStatus status, int attempts = 1, string? reason = null) =>
        v with { Contact = v.Contact with { Sms = v.Contact.Sms with { Status = status, Attempts = attempts, Reason = reason is null ? null : MessageReason.Refused, Detail = reason } } };

    [Fact]
    public void A_text_message_of_unknown_outcome_is_settled_from_Notifys_records_never_sent_blind()
    {
        var v = WithText(TextFirst(), MessageStatus.Unconfirmed, attempts: 2);

        var decision = ReplayRule.ForMessage(v, Channel.Sms);

        Assert.Equal((ReplayStep.Settle, (VictimState?)null), (decision.Step, decision.Requeued));
        Assert.Equal("the text message's outcome is unknown: it is settled from the provider's records, as the status timer does", decision.Reason);
    }

    [Fact]
    public void An_unsettled_text_message_is_refused_with_the_reference_to_look_up_in_Notify()
    {
        var v = WithText(TextFirst(), MessageStatus.Unconfirmed, attempts: 2);
        v = v.With(Channel.Sms, v.Contact.Sms with { Reason = MessageReason.Unsettled });

        var decision = ReplayRule.ForMessage(v, Channel.Sms);

        Assert.Equal(ReplayStep.Refuse, decision.Step);
        Assert.Null(decision.Requeued);
        Assert.Equal(
            $"the text message may have reached GOV.UK Notify, and a second send would be a second text message: check GET /v2/notifications?reference={MessageReference.Notify(v.CrimeReference, v.VictimId, Channel.Sms, 2)} with the service's API key; replay never sends it again",
            decision.Reason);
    }

    [Fact]
    public void A_failed_text_message_is_queued_again_for_its_own_channel_while_no_other_channel_took_over()
    {
        var v = WithText(ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false, addressSafe: false)), MessageStatus.Failed, reason: "Notify refused the message: 403");

        var decision = ReplayRule.ForMessage(v, Channel.Sms);

        Assert.Equal((ReplayStep.Requeue, "the failed text message is queued again"), (decision.Step, decision.Reason));
        Assert.Equal((MessageStatus.Queued, null, 1), (decision.Requeued!.Contact.Sms.Status, decision.Requeued.Contact.Sms.Reason, decision.Requeued.Contact.Sms.Attempts));
        Assert.Equal(v.Contact.Email, decision.Requeued.Contact.Email);
    }

    [Fact]
    public void A_failed_text_message_whose_letter_is_queued_or_sent_is_refused()
    {
        var v = WithText(TextFirst(), MessageStatus.Failed);
        var queuedLetter = v with { Contact = v.Contact with { Letter = v.Contact.Letter with { Status = MessageStatus.Queued } } };
        var sentLetter = v with { Contact = v.Contact with { Letter = v.Contact.Letter with { Status = MessageStatus.Sent } } };

        Assert.Equal(
            new ReplayDecision(ReplayStep.Refuse, "nothing to replay: the information has gone on by letter since (one channel at a time)"),
            ReplayRule.ForMessage(queuedLetter, Channel.Sms));
        Assert.Equal(ReplayStep.Refuse, ReplayRule.ForMessage(sentLetter, Channel.Sms).Step);
    }

    [Theory]
    [InlineData(MessageStatus.Sent)]
    [InlineData(MessageStatus.Delivered)]
    [InlineData(MessageStatus.Sending)]
    [InlineData(MessageStatus.Suppressed)]
    public void A_text_message_with_nothing_to_send_again_is_refused_saying_where_it_is(MessageStatus status) =>
        Assert.Equal(
            new ReplayDecision(ReplayStep.Refuse, $"nothing to replay: the text message is {status} now"),
            ReplayRule.ForMessage(WithText(TextFirst(), status), Channel.Sms));

    [Fact]
    public void A_queued_message_has_its_work_item_sent_again_unless_the_crime_is_held()
    {
        var v = TextFirst();
        var held = v with { Contact = v.Contact with { Held = true } };

        Assert.Equal(new ReplayDecision(ReplayStep.Resend, "the text message is still queued: its work item is sent again"), ReplayRule.ForMessage(v, Channel.Sms));
        Assert.Equal(ReplayStep.Refuse, ReplayRule.ForMessage(held, Channel.Sms).Step);
        Assert.StartsWith("the crime is held (HoldContact)", ReplayRule.ForMessage(held, Channel.Sms).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_email_failed_or_unsettled_is_queued_again_only_while_the_plan_has_not_moved_on_and_one_of_unknown_outcome_is_settled()
    {
        var v = ContactRuleTests.Step(null, ContactRuleTests.Reachable(phoneSafe: false, addressSafe: false));
        var unconfirmed = v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Unconfirmed, Reason = MessageReason.Unsettled });
        Assert.Equal(ReplayStep.Settle, ReplayRule.ForMessage(v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Unconfirmed }), Channel.Email).Step);
        var reachable = ContactRuleTests.Step(null, ContactRuleTests.Reachable());
        var failedThenText = WithText(reachable, MessageStatus.Queued, attempts: 0).With(Channel.Email, reachable.Contact.Email with { Status = MessageStatus.Failed });

        var replayed = ReplayRule.ForMessage(unconfirmed, Channel.Email);

        Assert.Equal((ReplayStep.Requeue, MessageStatus.Queued), (replayed.Step, replayed.Requeued!.Contact.Email.Status));
        Assert.Equal(
            new ReplayDecision(ReplayStep.Refuse, "nothing to replay: the information has gone on by text message since (one channel at a time)"),
            ReplayRule.ForMessage(failedThenText, Channel.Email));
    }

    [Fact]
    public void A_failed_delivery_is_due_again_a_pending_one_resent_and_a_delivered_one_refused()
    {
        var failed = new DeliveryState("d1", DeliveryKind.Referral, "DB/26/000001", "V1", "general", "Http", DeliveryStatus.Failed, "400", new Month(2026, 10), null, 1, DateTimeOffset.UnixEpoch);

        var requeued = ReplayRule.ForDelivery(failed);

        Assert.Equal((ReplayStep.Requeue, DeliveryStatus.Pending), (requeued.Step, requeued.RequeuedDelivery!.Status));
        Assert.Equal(ReplayStep.Resend, ReplayRule.ForDelivery(failed with { Status = DeliveryStatus.Pending }).Step);
        Assert.Equal(
            new ReplayDecision(ReplayStep.Refuse, "nothing to replay: the delivery is Delivered now"),
            ReplayRule.ForDelivery(failed with { Status = DeliveryStatus.Delivered }));
    }
}
