using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Privacy;
using Referrals.Receipts;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>
/// Rulebook 1.2 sections 6 and 12, issue 22: a letter is delivered at Notify's <c>received</c>; an email that bounces after
/// <c>delivered</c>, or a letter returned, failed for good after all, the plan goes on, and the tallies count
/// <c>InformedThenFailed</c> once, in the month it is learnt, never the victim informed twice; receipts for an erased
/// victim change nothing.
/// </summary>
public class AfterDeliveryTests
{
    private static readonly DateTimeOffset October5 = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset November3 = new(2026, 11, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);
    private static readonly Month November = new(2026, 11);

    private static VictimState Sent(VictimState v, Channel channel) =>
        v.With(channel, v.Contact[channel] with { Status = MessageStatus.Sent, Attempts = v.Contact[channel].Attempts + 1, SentAt = v.Contact[channel].QueuedAt });

    private static (VictimState Next, ReceiptEffect Effect) Receipt(VictimState v, Channel channel, ReceiptStatus status, DateTimeOffset at) =>
        ReceiptRule.Apply(v, channel, status, channel == Channel.Email ? null : v.Contact[channel].Attempts, at, at, Month.Of(at), WorkingDays);

    private static VictimState EmailDeliveredInOctober() =>
        Receipt(Sent(Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable()), Channel.Email), Channel.Email, ReceiptStatus.Delivered, October5).Next;

    [Fact]
    public void An_asynchronous_bounce_fails_a_delivered_email_the_text_message_follows_and_InformedThenFailed_counts_in_the_month_learnt()
    {
        var informed = EmailDeliveredInOctober();
        Assert.Equal(October, informed.Counted[TallyCategories.InformedInWriting]);

        var (bounced, effect) = Receipt(informed, Channel.Email, ReceiptStatus.FailedForGood, November3);

        Assert.Equal(ReceiptEffect.Applied, effect);
        Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed), (bounced.Contact.Email.Status, bounced.Contact.Email.Reason));
        Assert.Equal(MessageStatus.Queued, bounced.Contact.Sms.Status);
        Assert.Equal(November, bounced.Contact.Sms.Month);
        Assert.Equal(November, bounced.Counted[TallyCategories.InformedThenFailed(Channel.Email)]);
        Assert.DoesNotContain(TallyCategories.MessageFailed(Channel.Email), bounced.Counted.Keys);

        // Earlier months are not rewritten: every October event stays where it was.
        Assert.All(informed.Counted, e => Assert.Equal(e.Value, bounced.Counted[e.Key]));
        Assert.Equal([TallyCategories.InformedThenFailed(Channel.Email)], TallyRule.Between(informed, bounced).Select(e => e.Category));
    }

    [Fact]
    public void A_later_delivery_by_another_channel_adds_its_route_in_its_month_without_informing_the_victim_twice()
    {
        var bounced = Receipt(EmailDeliveredInOctober(), Channel.Email, ReceiptStatus.FailedForGood, November3).Next;

        var texted = Receipt(Sent(bounced, Channel.Sms), Channel.Sms, ReceiptStatus.Delivered, November3.AddHours(1)).Next;

        Assert.Equal(MessageStatus.Delivered, texted.Contact.Sms.Status);
        Assert.Equal(November, texted.Counted[TallyCategories.InformedBy(Channel.Sms)]);
        Assert.Equal([TallyCategories.InformedBy(Channel.Sms)], TallyRule.Between(bounced, texted).Select(e => e.Category));
        Assert.Single(texted.Counted.Keys, k => k.StartsWith(TallyCategories.InformedAfterPrefix, StringComparison.Ordinal));
        Assert.Equal(October, texted.Counted[TallyCategories.Informed]);
    }

    [Fact]
    public void Redelivered_and_out_of_order_receipts_change_nothing_more()
    {
        var informed = EmailDeliveredInOctober();
        var bounced = Receipt(informed, Channel.Email, ReceiptStatus.FailedForGood, November3).Next;

        var again = Receipt(bounced, Channel.Email, ReceiptStatus.FailedForGood, November3.AddMinutes(5));
        var lateDelivered = Receipt(bounced, Channel.Email, ReceiptStatus.Delivered, October5);

        Assert.Equal(ReceiptEffect.AlreadyKnown, again.Effect);
        Assert.Same(bounced, again.Next);
        Assert.Equal(ReceiptEffect.AlreadyKnown, lateDelivered.Effect);
        Assert.Same(bounced, lateDelivered.Next);
    }

    [Fact]
    public void A_bounce_learnt_before_the_delivered_event_leaves_the_victim_never_informed()
    {
        var sent = Sent(Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable()), Channel.Email);

        var bounced = Receipt(sent, Channel.Email, ReceiptStatus.FailedForGood, October5).Next;
        var delivered = Receipt(bounced, Channel.Email, ReceiptStatus.Delivered, October5.AddMinutes(-1));

        Assert.Equal(ReceiptEffect.AlreadyKnown, delivered.Effect);
        Assert.Contains(TallyCategories.MessageFailed(Channel.Email), bounced.Counted.Keys);
        Assert.DoesNotContain(bounced.Counted.Keys, k => k.StartsWith(TallyCategories.InformedThenFailedPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain(TallyCategories.InformedInWriting, bounced.Counted.Keys);
    }

    [Fact]
    public void A_returned_letter_when_no_safe_channel_is_left_raises_a_ContactNeeded_task()
    {
        var v = Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false));
        var sent = Sent(v, Channel.Letter);
        var accepted = Receipt(sent, Channel.Letter, NotifyStatuses.Map(Channel.Letter, "accepted")!.Value, October5);
        Assert.Equal(ReceiptEffect.AlreadyKnown, accepted.Effect);

        var received = Receipt(sent, Channel.Letter, NotifyStatuses.Map(Channel.Letter, "received")!.Value, October5).Next;
        Assert.Equal(MessageStatus.Delivered, received.Contact.Letter.Status);
        Assert.DoesNotContain(received.Tasks.Tasks, t => t.IsOpen);

        var returned = Receipt(received, Channel.Letter, ReceiptStatus.FailedForGood, November3).Next;

        Assert.Equal(MessageStatus.Failed, returned.Contact.Letter.Status);
        var open = Assert.Single(returned.Tasks.Tasks, t => t.IsOpen);
        Assert.Equal(TaskKind.ContactNeeded, open.Kind);
        Assert.Contains(DeliveryKind.ContactNeeded, returned.VcuTasks);
        Assert.Equal(November, returned.Counted[TallyCategories.InformedThenFailed(Channel.Letter)]);
        Assert.Equal(October, returned.Counted[TallyCategories.InformedBy(Channel.Letter)]);
    }

    [Theory]
    [InlineData("cancelled")]
    [InlineData("technical-failure")]
    [InlineData("permanent-failure")]
    [InlineData("validation-failed")]
    public void Each_failure_status_after_accepted_fails_the_letter_and_moves_the_plan_on(string status)
    {
        var v = Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false));
        var sent = Sent(v, Channel.Letter);

        var (failed, effect) = Receipt(sent, Channel.Letter, NotifyStatuses.Map(Channel.Letter, status)!.Value, October5);

        Assert.Equal(ReceiptEffect.Applied, effect);
        Assert.Equal(MessageStatus.Failed, failed.Contact.Letter.Status);
        Assert.Contains(TallyCategories.MessageFailed(Channel.Letter), failed.Counted.Keys);
        Assert.Single(failed.Tasks.Tasks, t => t.IsOpen && t.Kind == TaskKind.ContactNeeded);
    }

    [Theory]
    [InlineData("cancelled")]
    [InlineData("technical-failure")]
    [InlineData("permanent-failure")]
    [InlineData("validation-failed")]
    public void A_letter_counted_delivered_at_accepted_before_revision_1_2_that_failed_counts_InformedThenFailed_and_the_plan_goes_on(string status)
    {
        var sent = Sent(Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false)), Channel.Letter);
        var countedAtAccepted = ContactRule.Apply(sent.With(Channel.Letter, MessageTransition.Delivered(sent.Contact.Letter, October5)), October5, October, WorkingDays);

        var (failed, effect) = Receipt(countedAtAccepted, Channel.Letter, NotifyStatuses.Map(Channel.Letter, status)!.Value, November3);

        Assert.Equal(ReceiptEffect.Applied, effect);
        Assert.Equal(MessageStatus.Failed, failed.Contact.Letter.Status);
        Assert.Equal(November, failed.Counted[TallyCategories.InformedThenFailed(Channel.Letter)]);
        Assert.Single(failed.Tasks.Tasks, t => t.IsOpen && t.Kind == TaskKind.ContactNeeded);
    }

    [Fact]
    public void A_letter_counted_delivered_at_accepted_that_still_waits_for_the_print_run_goes_back_to_sent_keeping_its_counts()
    {
        var sent = Sent(Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false)), Channel.Letter) is var s
            ? s.With(Channel.Letter, s.Contact.Letter with { ProviderId = "2c3e5a7b-1d2f-4a6b-8c9d-0e1f2a3b4c5d" }) : null!;
        var countedAtAccepted = ContactRule.Apply(sent.With(Channel.Letter, MessageTransition.Delivered(sent.Contact.Letter, October5)), October5, October, WorkingDays);

        var reopened = ReceiptRule.StillAccepted(countedAtAccepted, "2C3E5A7B-1D2F-4A6B-8C9D-0E1F2A3B4C5D");

        Assert.Equal((MessageStatus.Sent, null), (reopened.Contact.Letter.Status, reopened.Contact.Letter.DeliveredAt));
        Assert.Equal(countedAtAccepted.Counted, reopened.Counted);
        Assert.True(ReceiptRule.StatusCheckDue(reopened.Contact.Letter, November3, TimeSpan.FromHours(1)));
        Assert.Same(countedAtAccepted, ReceiptRule.StillAccepted(countedAtAccepted, "another-id"));
        Assert.Same(sent, ReceiptRule.StillAccepted(sent, "2c3e5a7b-1d2f-4a6b-8c9d-0e1f2a3b4c5d"));
    }

    [Fact]
    public void A_receipt_for_an_erased_victim_is_acknowledged_and_changes_nothing()
    {
        var sent = Sent(Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable()), Channel.Email);
        var erased = RedactionRule.Erase(sent, October5);
        Assert.True(RedactionRule.IsErased(erased));
        Assert.False(RedactionRule.IsErased(sent));

        var bounce = Receipt(erased, Channel.Email, ReceiptStatus.FailedForGood, October5);
        var delivered = Receipt(erased, Channel.Email, ReceiptStatus.Delivered, October5);

        Assert.Equal((ReceiptEffect.Erased, ReceiptEffect.Erased), (bounce.Effect, delivered.Effect));
        Assert.Same(erased, bounce.Next);
        Assert.Same(erased, delivered.Next);
        Assert.Equal(MessageStatus.Sent, erased.Contact.Email.Status);
    }
}
