using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Privacy;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tests.Contact;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>A message's transitions and the rules of one send, on any channel: the typed state machine of email, text message and letter.</summary>
public class MessageRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);
    private static readonly Month November = new(2026, 11);

    private static VictimState Reachable(bool? emailSafe = true) => ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: emailSafe));

    /// <summary>The victim's message on the channel claimed, as the sender claims it.</summary>
    private static (VictimState Claimed, int Attempt) Claim(VictimState victim, Channel channel)
    {
        var claim = ClaimRule.ForMessage(victim, channel, Now, TimeSpan.FromMinutes(5));
        Assert.Equal(ClaimStep.Send, claim.Step);
        return (claim.Next!, claim.Next!.Contact[channel].Attempts);
    }

    [Theory]
    [InlineData(MessageStatus.Queued, MessageStatus.Sending, true)]
    [InlineData(MessageStatus.Suppressed, MessageStatus.Queued, true)]
    [InlineData(MessageStatus.NotNeeded, MessageStatus.Queued, true)]
    [InlineData(MessageStatus.Queued, MessageStatus.NotNeeded, true)]
    [InlineData(MessageStatus.Sending, MessageStatus.Sent, true)]
    [InlineData(MessageStatus.Sending, MessageStatus.Unconfirmed, true)]
    [InlineData(MessageStatus.Sending, MessageStatus.Queued, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Unconfirmed, MessageStatus.Failed, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Suppressed, true)]
    [InlineData(MessageStatus.Queued, MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Failed, MessageStatus.Queued, true)]
    [InlineData(MessageStatus.Failed, MessageStatus.Suppressed, true)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Suppressed, MessageStatus.Sending, false)]
    [InlineData(MessageStatus.NotNeeded, MessageStatus.Sent, false)]
    [InlineData(MessageStatus.Queued, MessageStatus.Sent, false)]
    [InlineData(MessageStatus.Queued, MessageStatus.Unconfirmed, false)]
    [InlineData(MessageStatus.Sent, MessageStatus.Sending, false)]
    [InlineData(MessageStatus.Sent, MessageStatus.Unconfirmed, false)]
    [InlineData(MessageStatus.Unconfirmed, MessageStatus.Sent, true)] // revision 1.2 section 6: settled as accepted by the provider's records
    [InlineData(MessageStatus.Delivered, MessageStatus.Failed, true)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Queued, false)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Suppressed, false)]
    [InlineData(MessageStatus.Failed, MessageStatus.Sent, false)]
    [InlineData(MessageStatus.Failed, MessageStatus.Delivered, false)]
    [InlineData(MessageStatus.Failed, MessageStatus.NotNeeded, false)]
    [InlineData(MessageStatus.Suppressed, MessageStatus.Failed, false)]
    [InlineData(MessageStatus.NotNeeded, MessageStatus.Delivered, false)]
    public void A_status_moves_only_as_rulebook_1_2_allows(MessageStatus from, MessageStatus to, bool allowed) =>
        Assert.Equal(allowed, MessageTransition.Allowed(from, to));

    [Fact]
    public void A_claim_counts_the_send_and_forgets_the_id_of_an_earlier_one()
    {
        var message = new MessageState(MessageStatus.Queued, MessageReason.TechnicalFailure, "sent again", ProviderId: "earlier", Attempts: 1);

        Assert.Equal(message with { Status = MessageStatus.Sending, AttemptedAt = Now, Attempts = 2, ProviderId = null }, MessageTransition.Claim(message, Now));
    }

    [Fact]
    public void A_queued_message_keeps_the_time_and_month_it_was_first_queued()
    {
        var queued = MessageTransition.Queue(MessageState.NotNeeded, EmailRecipient.Victim, Now, October);
        var again = MessageTransition.Queue(queued with { Reason = MessageReason.TechnicalFailure, Detail = "x" }, EmailRecipient.ParentOrGuardian, Now.AddDays(40), November);

        Assert.Equal(new MessageState(MessageStatus.Queued, Recipient: EmailRecipient.Victim, QueuedAt: Now, Month: October), queued);
        Assert.Equal(queued with { Recipient = EmailRecipient.ParentOrGuardian }, again);
    }

    [Fact]
    public void A_sent_email_is_sent_with_its_id_and_counted_as_sent_in_the_month_it_was_queued_in_the_same_change()
    {
        var (claimed, attempt) = Claim(Reachable(), Channel.Email);

        var sent = ContactRule.AfterSend(claimed, Channel.Email, attempt, new Settlement(Settled.Done), "sg-1", Now.AddMinutes(1), November, WorkingDays);

        Assert.Equal((MessageStatus.Sent, "sg-1", Now.AddMinutes(1), (MessageReason?)null), (sent.Contact.Email.Status, sent.Contact.Email.ProviderId, sent.Contact.Email.SentAt, sent.Contact.Email.Reason));
        Assert.Equal(October, sent.Counted[TallyCategories.EmailsSent]);
        Assert.Equal(MessageStatus.NotNeeded, sent.Contact.Sms.Status);
    }

    [Fact]
    public void A_text_message_sent_is_not_counted_as_an_email()
    {
        var (claimed, attempt) = Claim(Reachable(emailSafe: false), Channel.Sms);

        var sent = ContactRule.AfterSend(claimed, Channel.Sms, attempt, new Settlement(Settled.Done), "n-1", Now, October, WorkingDays);

        Assert.Equal((MessageStatus.Sent, "n-1"), (sent.Contact.Sms.Status, sent.Contact.Sms.ProviderId));
        Assert.DoesNotContain(TallyCategories.EmailsSent, sent.Counted.Keys);
        Assert.Contains(TallyCategories.TotalVictims, sent.Counted.Keys);
    }

    [Fact]
    public void A_refused_email_fails_for_good_with_the_providers_words_and_the_plan_moves_on()
    {
        var (claimed, attempt) = Claim(Reachable(), Channel.Email);

        var failed = ContactRule.AfterSend(claimed, Channel.Email, attempt, new Settlement(Settled.Failed, MessageReason.Refused, "SendGrid refused the email: 400"), null, Now, October, WorkingDays);

        Assert.Equal((MessageStatus.Failed, MessageReason.Refused, "SendGrid refused the email: 400"), (failed.Contact.Email.Status, failed.Contact.Email.Reason, failed.Contact.Email.Detail));
        Assert.Equal(MessageStatus.Queued, failed.Contact.Sms.Status);
        Assert.DoesNotContain(TallyCategories.EmailsSent, failed.Counted.Keys);
    }

    [Fact]
    public void A_send_not_accepted_is_queued_again_and_one_that_may_have_gone_holds_back_every_other_channel()
    {
        var (claimed, attempt) = Claim(Reachable(), Channel.Email);

        var retried = ContactRule.AfterSend(claimed, Channel.Email, attempt, new Settlement(Settled.Retry, null, "429"), null, Now, October, WorkingDays);
        var unknown = ContactRule.AfterSend(claimed, Channel.Email, attempt, new Settlement(Settled.Unconfirmed, MessageReason.OutcomeUnknown, "no answer: check"), null, Now, October, WorkingDays);

        Assert.Equal((MessageStatus.Queued, 1, (MessageReason?)null), (retried.Contact.Email.Status, retried.Contact.Email.Attempts, retried.Contact.Email.Reason));
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.OutcomeUnknown, "no answer: check"), (unknown.Contact.Email.Status, unknown.Contact.Email.Reason, unknown.Contact.Email.Detail));
        Assert.Equal(MessageStatus.NotNeeded, unknown.Contact.Sms.Status);
        Assert.Null(ContactRule.Target(unknown));
    }

    [Fact]
    public void A_result_is_not_this_sends_to_settle_when_a_receipt_came_first_or_another_send_was_claimed()
    {
        var (claimed, attempt) = Claim(Reachable(emailSafe: false), Channel.Sms);
        var delivered = ReceiptRule.Apply(claimed, Channel.Sms, ReceiptStatus.Delivered, attempt, Now, Now, October, WorkingDays).Next;

        Assert.Same(delivered, ContactRule.AfterSend(delivered, Channel.Sms, attempt, new Settlement(Settled.Failed, MessageReason.Refused, "x"), null, Now, October, WorkingDays));
        Assert.Same(claimed, ContactRule.AfterSend(claimed, Channel.Sms, attempt + 1, new Settlement(Settled.Done), "n", Now, October, WorkingDays));
        Assert.Same(claimed, ContactRule.AfterSend(claimed, Channel.Sms, attempt - 1, new Settlement(Settled.Done), "n", Now, October, WorkingDays));
    }

    [Fact]
    public void An_email_delivered_before_its_sender_recorded_it_is_still_counted_as_sent_once()
    {
        var (claimed, attempt) = Claim(Reachable(), Channel.Email);
        var delivered = ReceiptRule.Apply(claimed, Channel.Email, ReceiptStatus.Delivered, null, Now, Now, October, WorkingDays).Next;

        var recorded = ContactRule.AfterSend(delivered, Channel.Email, attempt, new Settlement(Settled.Done), "sg-1", Now, November, WorkingDays);

        Assert.Equal(MessageStatus.Delivered, recorded.Contact.Email.Status);
        Assert.Equal(October, recorded.Counted[TallyCategories.EmailsSent]);
        Assert.Same(recorded, ContactRule.AfterSend(recorded, Channel.Email, attempt, new Settlement(Settled.Done), "sg-1", Now, November, WorkingDays));
    }

    [Fact]
    public void A_channel_the_latest_snapshot_makes_unsafe_at_send_time_is_marked_in_the_plan_which_moves_on()
    {
        var victim = Reachable();

        var next = ContactRule.NotSendable(victim, Channel.Email, MessageReason.UnsafeToContact, Now, October, WorkingDays);

        Assert.Equal((MessageStatus.Suppressed, MessageReason.UnsafeToContact), (next.Contact.Email.Status, next.Contact.Email.Reason));
        Assert.Equal(MessageReason.UnsafeToContact, next.Contact.Line(Channel.Email)!.Reason);
        Assert.Equal(MessageStatus.Queued, next.Contact.Sms.Status);
        Assert.Equal(Channel.Sms, ContactRule.Target(next));
    }

    [Fact]
    public void A_victim_no_longer_in_the_snapshot_is_sent_nothing_on_any_channel()
    {
        var victim = Reachable();

        var next = ContactRule.NotSendable(victim, Channel.Email, MessageReason.NotInLatestSnapshot, Now, October, WorkingDays);

        Assert.Equal((MessageStatus.Suppressed, MessageReason.NotInLatestSnapshot), (next.Contact.Email.Status, next.Contact.Email.Reason));
        Assert.Equal(victim.Contact.Plan, next.Contact.Plan);
        Assert.Equal((MessageStatus.NotNeeded, MessageStatus.NotNeeded), (next.Contact.Sms.Status, next.Contact.Letter.Status));
        Assert.Empty(WorkPlan.Messages(next));
        Assert.DoesNotContain(DeliveryKind.ContactNeeded, next.VcuTasks);
    }

    [Fact]
    public void A_message_claimed_or_sent_meanwhile_is_not_suppressed_at_send_time()
    {
        var (claimed, _) = Claim(Reachable(), Channel.Email);

        Assert.Same(claimed, ContactRule.NotSendable(claimed, Channel.Email, MessageReason.UnsafeToContact, Now, October, WorkingDays));
    }

    [Fact]
    public void Only_queued_messages_are_handed_to_the_sender_and_none_while_the_crime_is_held()
    {
        var victim = Reachable(emailSafe: false);
        var held = ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false), flags: ["HoldContact"]);

        Assert.Equal([Channel.Sms], WorkPlan.Messages(victim));
        Assert.Equal(MessageStatus.Queued, held.Contact.Sms.Status);
        Assert.Empty(WorkPlan.Messages(held));
    }

    [Theory]
    [InlineData(MessageStatus.Sent, "n-1", 60, true)]
    [InlineData(MessageStatus.Sent, "n-1", 61, true)]
    [InlineData(MessageStatus.Sent, "n-1", 59, false)]
    [InlineData(MessageStatus.Sent, null, 120, false)]
    [InlineData(MessageStatus.Sent, "", 120, false)]
    [InlineData(MessageStatus.Delivered, "n-1", 120, false)]
    [InlineData(MessageStatus.Unconfirmed, "n-1", 120, false)]
    public void The_status_timer_asks_about_a_message_Notify_accepted_long_enough_ago_and_has_not_reported_on(MessageStatus status, string? id, int minutesAgo, bool due) =>
        Assert.Equal(due, ReceiptRule.StatusCheckDue(new MessageState(status, ProviderId: id, SentAt: Now.AddMinutes(-minutesAgo)), Now, TimeSpan.FromHours(1)));

    [Fact]
    public void The_redaction_cuts_a_providers_answer_from_every_channel_and_keeps_the_pipelines_words()
    {
        var victim = Reachable()
            .With(Channel.Email, new MessageState(MessageStatus.Failed, MessageReason.Refused, "SendGrid refused the email: 400 BadRequest: jo@example.org"))
            .With(Channel.Sms, new MessageState(MessageStatus.Failed, MessageReason.Refused, "Notify refused the message: 400 ValidationError: phone_number 07700 900999"))
            .With(Channel.Letter, new MessageState(MessageStatus.Failed, MessageReason.ReportedFailed, "the provider reported a permanent failure"));

        var cut = RedactionRule.WithoutAnswers(victim);

        Assert.Equal("SendGrid refused the email: 400 BadRequest: (the answer is not kept)", cut.Contact.Email.Detail);
        Assert.Equal("Notify refused the message: 400 ValidationError: (the answer is not kept)", cut.Contact.Sms.Detail);
        Assert.Same(victim.Contact.Letter, cut.Contact.Letter);
        Assert.Equal(MessageReason.Refused, cut.Contact.Sms.Reason);
        Assert.Same(cut, RedactionRule.WithoutAnswers(cut));
    }

    [Theory]
    [InlineData(MessageStatus.Queued, MessageStatus.Suppressed, MessageReason.Erased)]
    [InlineData(MessageStatus.Suppressed, MessageStatus.Suppressed, MessageReason.Erased)]
    [InlineData(MessageStatus.Failed, MessageStatus.Suppressed, MessageReason.Erased)]
    [InlineData(MessageStatus.Sent, MessageStatus.Sent, null)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Delivered, null)]
    public void An_erasure_suppresses_an_email_not_sent_and_keeps_one_that_went(MessageStatus email, MessageStatus after, MessageReason? reason)
    {
        var victim = Reachable().With(Channel.Email, new MessageState(email, Recipient: EmailRecipient.Victim, QueuedAt: Now));

        var erased = RedactionRule.Erase(victim, Now.AddDays(1));

        Assert.Equal(after, erased.Contact.Email.Status);
        Assert.Equal(reason, erased.Contact.Email.Reason);
        Assert.Equal((EmailRecipient.Victim, Now, Now.AddDays(1)), (erased.Contact.Email.Recipient!.Value, erased.Contact.Email.QueuedAt!.Value, erased.UpdatedAt));
    }

    [Fact]
    public void A_delivery_keeps_its_reason_unless_it_quotes_a_service()
    {
        var delivery = new DeliveryState("d", DeliveryKind.Referral, "DB/26/1", "V1", "general", "Http", DeliveryStatus.Failed, "general refused the Referral: 400 BadRequest: Jo Bloggs", October, null, 1, Now);

        Assert.Equal("general refused the Referral: 400 BadRequest: (the answer is not kept)", RedactionRule.WithoutAnswer(delivery).Reason);
        var plain = delivery with { Reason = "no longer warranted: the victim is now OptedOut" };
        Assert.Same(plain, RedactionRule.WithoutAnswer(plain));
        Assert.Null(RedactionRule.WithoutAnswer(delivery with { Reason = null }).Reason);
    }

    [Theory]
    [InlineData(Channel.Email, "email", "email")]
    [InlineData(Channel.Sms, "text message", "text")]
    [InlineData(Channel.Letter, "letter", "letter")]
    public void A_channel_has_one_noun_for_people_and_one_word_for_files_and_metrics(Channel channel, string noun, string word) =>
        Assert.Equal((noun, word), (channel.Noun(), channel.Word()));

    [Fact]
    public void What_to_check_before_a_replay_names_the_provider_and_for_Notify_the_sends_reference()
    {
        Assert.Equal(
            "check SendGrid's activity for this email (its ref custom arg); the status timer settles it: any SendGrid event about it, or 24 hours of silence with the webhook answering (rulebook 1.2 section 6)",
            OutcomeRule.CheckBeforeReplay("DB/26/1", "V1", Channel.Email, 1));
        Assert.Equal(
            $"check GOV.UK Notify for this message (GET /v2/notifications?reference={MessageReference.Notify("DB/26/1", "V1", Channel.Letter, 2)}); the status timer settles it from Notify's records (a look-up by reference), never by sending blind",
            OutcomeRule.CheckBeforeReplay("DB/26/1", "V1", Channel.Letter, 2));
    }

    [Fact]
    public void A_claim_found_after_its_lease_is_unconfirmed_with_what_to_check_and_never_sent_again()
    {
        var (claimed, _) = Claim(Reachable(emailSafe: false), Channel.Sms);

        var stale = ClaimRule.ForMessage(claimed, Channel.Sms, Now.AddMinutes(10), TimeSpan.FromMinutes(5));

        var expected = $"a sender stopped after calling Notify and before recording the result: {OutcomeRule.CheckBeforeReplay(claimed.CrimeReference, claimed.VictimId, Channel.Sms, 1)}";
        Assert.Equal((ClaimStep.Unconfirmed, expected), (stale.Step, stale.Reason));
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.OutcomeUnknown, expected, Now.AddMinutes(10)),
            (stale.Next!.Contact.Sms.Status, stale.Next.Contact.Sms.Reason, stale.Next.Contact.Sms.Detail, stale.Next.UpdatedAt));
        Assert.Equal(ClaimStep.RetryLater, ClaimRule.ForMessage(claimed, Channel.Sms, Now.AddMinutes(4), TimeSpan.FromMinutes(5)).Step);
        Assert.StartsWith("a sender stopped after calling SendGrid", ClaimRule.ForMessage(Claim(Reachable(), Channel.Email).Claimed, Channel.Email, Now.AddMinutes(10), TimeSpan.FromMinutes(5)).Reason, StringComparison.Ordinal);
    }
}
