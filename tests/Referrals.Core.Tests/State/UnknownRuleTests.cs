using Referrals.Contact;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using Referrals.Tests.Contact;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome": settled from the provider's records, never by a blind resend and never by
/// moving on to the next channel (<see cref="UnknownRule"/>, <see cref="WebhookHealthRule"/>).
/// </summary>
public class UnknownRuleTests
{
    private static readonly DateTimeOffset Sent = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);
    private const string Id = "00000000-0000-4000-8000-000000000001";

    /// <summary>A victim whose first safe channel is <paramref name="channel"/>, its send 1 of unknown outcome.</summary>
    private static VictimState Unknown(Channel channel)
    {
        var v = ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: channel == Channel.Email, phoneSafe: channel != Channel.Letter));
        var claimed = v.With(channel, MessageTransition.Claim(v.Contact[channel], Sent));
        return ContactRule.AfterSend(claimed, channel, 1, new Settlement(Settled.Unconfirmed, MessageReason.OutcomeUnknown, "Notify answered 500"), null, Sent, October, WorkingDays);
    }

    private static VictimState Lookup(VictimState v, Channel channel, NotifyRecord record, int attempt = 1) =>
        UnknownRule.AfterNotifyLookup(v, channel, attempt, record, Sent.AddMinutes(10), October, WorkingDays);

    [Fact]
    public void Found_by_reference_the_send_is_Notifys_dated_by_Notify_and_its_status_applied()
    {
        var delivered = Sent.AddMinutes(2);
        var v = Lookup(Unknown(Channel.Sms), Channel.Sms, new NotifyRecord.Found(Channel.Sms, Id, Sent.AddSeconds(1), ReceiptStatus.Delivered, delivered));

        Assert.Equal((MessageStatus.Delivered, Id, Sent.AddSeconds(1), delivered), (v.Contact.Sms.Status, v.Contact.Sms.ProviderId, v.Contact.Sms.SentAt, v.Contact.Sms.DeliveredAt));
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Letter.Status);
    }

    [Fact]
    public void Found_but_not_final_it_is_sent_and_the_status_timer_follows_it()
    {
        var v = Lookup(Unknown(Channel.Letter), Channel.Letter, new NotifyRecord.Found(Channel.Letter, Id, Sent, ReceiptStatus.Deferred, Sent));

        Assert.Equal((MessageStatus.Sent, Id, (MessageReason?)null), (v.Contact.Letter.Status, v.Contact.Letter.ProviderId, v.Contact.Letter.Reason));
        Assert.Contains(Referrals.Indexes.IndexRule.Of(v), e => e is Referrals.Indexes.StatusCheck { Settled: false });
        Assert.DoesNotContain(Referrals.Indexes.IndexRule.Of(v), e => e is Referrals.Indexes.UnknownCheck);
    }

    [Fact]
    public void Not_found_it_is_sent_again_as_the_same_send_once_and_not_found_again_it_is_unsettled_with_a_task()
    {
        var v = Lookup(Unknown(Channel.Sms), Channel.Sms, new NotifyRecord.NotFound());

        // Queued as send 1 again: the claim counts it as send 1 once more, so it carries the same reference.
        Assert.Equal((MessageStatus.Queued, 0, 1), (v.Contact.Sms.Status, v.Contact.Sms.Attempts, v.Contact.Sms.Resends));
        Assert.Equal(1, MessageTransition.Claim(v.Contact.Sms, Sent).Attempts);
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Letter.Status);

        var again = ContactRule.AfterSend(v.With(Channel.Sms, MessageTransition.Claim(v.Contact.Sms, Sent.AddMinutes(11))), Channel.Sms, 1,
            new Settlement(Settled.Unconfirmed, MessageReason.OutcomeUnknown, "dropped"), null, Sent.AddMinutes(11), October, WorkingDays);
        var unsettled = Lookup(again, Channel.Sms, new NotifyRecord.NotFound());

        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (unsettled.Contact.Sms.Status, unsettled.Contact.Sms.Reason));
        Assert.Equal(MessageStatus.NotNeeded, unsettled.Contact.Letter.Status);
        Assert.Contains(unsettled.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Contains("Sms:Unsettled", unsettled.Tasks.Tasks.Single().Reasons);
    }

    [Fact]
    public void An_answer_about_another_send_or_a_settled_message_changes_nothing()
    {
        var v = Unknown(Channel.Sms);

        Assert.Same(v, Lookup(v, Channel.Sms, new NotifyRecord.NotFound(), attempt: 2));
        var delivered = Lookup(v, Channel.Sms, new NotifyRecord.Found(Channel.Sms, Id, Sent, ReceiptStatus.Delivered, Sent));
        Assert.Same(delivered, Lookup(delivered, Channel.Sms, new NotifyRecord.NotFound()));
    }

    [Fact]
    public void A_record_of_another_type_is_not_this_message_it_is_unsettled()
    {
        var v = Lookup(Unknown(Channel.Sms), Channel.Sms, new NotifyRecord.Found(Channel.Letter, Id, Sent, ReceiptStatus.Delivered, Sent));

        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (v.Contact.Sms.Status, v.Contact.Sms.Reason));
    }

    private static VictimState Activity(VictimState v, SendGridRecord record, int attempt = 1, double hours = 2) =>
        UnknownRule.AfterActivityLookup(v, attempt, record, Sent.AddHours(hours), October, WorkingDays);

    [Fact]
    public void With_the_Email_Activity_API_an_email_is_asked_about_two_hours_after_its_send_never_sooner_than_a_Notify_look_up()
    {
        Assert.Equal(Sent.AddHours(2), UnknownRule.DueAt(Channel.Email, Sent, TimeSpan.FromSeconds(100), activityApi: true));
        Assert.Equal(Sent.AddHours(3).AddMinutes(5), UnknownRule.DueAt(Channel.Email, Sent, TimeSpan.FromHours(3), activityApi: true));
        Assert.Equal(Sent.AddHours(24), UnknownRule.DueAt(Channel.Email, Sent, TimeSpan.FromSeconds(100)));

        // Asked too soon, the feed's "not found" says nothing: the same state.
        var v = Unknown(Channel.Email);
        Assert.Same(v, Activity(v, new SendGridRecord.NotFound(), hours: 1.9));
    }

    [Fact]
    public void Found_delivered_in_SendGrids_activity_the_email_is_delivered_dated_by_SendGrid_and_never_sent_again()
    {
        var v = Activity(Unknown(Channel.Email), new SendGridRecord.Found(ReceiptStatus.Delivered, Sent.AddSeconds(30)));

        Assert.Equal((MessageStatus.Delivered, Sent, Sent.AddSeconds(30), 0), (v.Contact.Email.Status, v.Contact.Email.SentAt!.Value, v.Contact.Email.DeliveredAt!.Value, v.Contact.Email.Resends));
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Sms.Status);
        Assert.DoesNotContain(v.Tasks.Tasks, t => t.IsOpen);
        Assert.Same(v, Activity(v, new SendGridRecord.NotFound(), hours: 3));
    }

    [Theory]
    [InlineData(-3600, 0)] // before the send: dated by the send
    [InlineData(365 * 86400, 7200)] // after now: dated now
    public void A_delivered_time_outside_the_send_and_now_is_kept_between_them(long offsetSeconds, long datedSeconds)
    {
        var v = Activity(Unknown(Channel.Email), new SendGridRecord.Found(ReceiptStatus.Delivered, Sent.AddSeconds(offsetSeconds)));

        Assert.Equal(Sent.AddSeconds(datedSeconds), v.Contact.Email.DeliveredAt);
    }

    [Fact]
    public void Found_not_delivered_the_email_has_failed_for_good_as_a_bounce_would_and_the_plan_moves_on()
    {
        var v = Activity(Unknown(Channel.Email), new SendGridRecord.Found(ReceiptStatus.FailedForGood, Sent.AddMinutes(1)));

        Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed), (v.Contact.Email.Status, v.Contact.Email.Reason));
        Assert.Equal("the provider reported a bounce or a drop", v.Contact.Email.Detail);
        Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
    }

    [Theory]
    [InlineData(ReceiptStatus.Deferred, true)] // processed, or a status SendGrid does not document
    [InlineData(ReceiptStatus.Delivered, false)] // delivered without a time: not dated by us
    public void Found_but_not_final_or_undated_the_email_is_sent_and_awaits_its_events(ReceiptStatus status, bool dated)
    {
        var v = Activity(Unknown(Channel.Email), new SendGridRecord.Found(status, dated ? Sent.AddMinutes(1) : null));

        Assert.Equal((MessageStatus.Sent, Sent, (MessageReason?)null, 0), (v.Contact.Email.Status, v.Contact.Email.SentAt!.Value, v.Contact.Email.Reason, v.Contact.Email.Resends));
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Sms.Status);
        var (delivered, effect) = ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Delivered, null, Sent.AddHours(3), Sent.AddHours(3), October, WorkingDays);
        Assert.Equal((ReceiptEffect.Applied, MessageStatus.Delivered), (effect, delivered.Contact.Email.Status));
    }

    [Fact]
    public void Not_found_in_SendGrids_activity_the_email_is_sent_once_more_with_a_new_token_and_not_found_again_it_is_unsettled()
    {
        var v = Activity(Unknown(Channel.Email), new SendGridRecord.NotFound());

        // Queued again (the plan's queueing keeps no reason): a new send, with its own token.
        Assert.Equal((MessageStatus.Queued, 1, 1), (v.Contact.Email.Status, v.Contact.Email.Attempts, v.Contact.Email.Resends));
        Assert.Equal(2, MessageTransition.Claim(v.Contact.Email, Sent).Attempts);
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Sms.Status);

        var second = ContactRule.AfterSend(v.With(Channel.Email, MessageTransition.Claim(v.Contact.Email, Sent.AddHours(2))), Channel.Email, 2,
            new Settlement(Settled.Unconfirmed, MessageReason.OutcomeUnknown, "500"), null, Sent.AddHours(2), October, WorkingDays);
        Assert.Same(second, Activity(second, new SendGridRecord.NotFound(), attempt: 2, hours: 3)); // two hours after the second send, not the first
        var unsettled = Activity(second, new SendGridRecord.NotFound(), attempt: 2, hours: 4);

        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (unsettled.Contact.Email.Status, unsettled.Contact.Email.Reason));
        Assert.StartsWith(UnknownRule.UnsettledPrefix + "SendGrid's Email Activity API had no record of send 2", unsettled.Contact.Email.Detail, StringComparison.Ordinal);
        Assert.Contains(unsettled.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal(MessageStatus.NotNeeded, unsettled.Contact.Sms.Status);
    }

    [Fact]
    public void An_Email_Activity_answer_about_another_send_or_a_settled_email_changes_nothing()
    {
        var v = Unknown(Channel.Email);

        Assert.Same(v, Activity(v, new SendGridRecord.NotFound(), attempt: 2));
        var (heard, _) = ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Deferred, 1, Sent.AddSeconds(5), Sent.AddSeconds(6), October, WorkingDays);
        Assert.Same(heard, Activity(heard, new SendGridRecord.NotFound()));
        Assert.Same(heard, Activity(heard, new SendGridRecord.Found(ReceiptStatus.FailedForGood, Sent)));
    }

    [Theory]
    [InlineData(true, true, MessageStatus.Queued, null)]
    [InlineData(false, true, MessageStatus.Unconfirmed, MessageReason.Unsettled)]
    [InlineData(true, false, MessageStatus.Unconfirmed, MessageReason.Unsettled)]
    public void After_24_hours_of_silence_an_email_is_sent_once_more_only_with_the_events_on_and_a_healthy_webhook(bool eventsEnabled, bool healthy, MessageStatus status, MessageReason? reason)
    {
        var v = Unknown(Channel.Email);

        Assert.Same(v, UnknownRule.AfterSilence(v, 1, eventsEnabled, healthy, Sent.AddHours(23), October, WorkingDays));
        var next = UnknownRule.AfterSilence(v, 1, eventsEnabled, healthy, Sent.AddHours(24), October, WorkingDays);

        Assert.Equal(status, next.Contact.Email.Status);
        Assert.Equal(reason, next.Contact.Email.Reason);
        Assert.Equal(MessageStatus.NotNeeded, next.Contact.Sms.Status);
        if (status == MessageStatus.Queued)
        {
            // A new send, with its own token: attempt 2.
            Assert.Equal((1, 1, 2), (next.Contact.Email.Attempts, next.Contact.Email.Resends, MessageTransition.Claim(next.Contact.Email, Sent).Attempts));
        }
        else
        {
            Assert.Contains(next.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        }
    }

    [Fact]
    public void Any_event_about_the_latest_send_settles_an_unknown_email_as_sent_and_an_earlier_sends_does_not()
    {
        var v = Unknown(Channel.Email);

        var (heard, effect) = ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Deferred, 1, Sent.AddSeconds(5), Sent.AddSeconds(6), October, WorkingDays);
        Assert.Equal((ReceiptEffect.Applied, MessageStatus.Sent), (effect, heard.Contact.Email.Status));
        Assert.Same(heard, UnknownRule.AfterSilence(heard, 1, true, true, Sent.AddHours(25), October, WorkingDays));

        var resent = UnknownRule.AfterSilence(v, 1, true, true, Sent.AddHours(24), October, WorkingDays);
        var second = ContactRule.AfterSend(resent.With(Channel.Email, MessageTransition.Claim(resent.Contact.Email, Sent.AddHours(24))), Channel.Email, 2,
            new Settlement(Settled.Unconfirmed, MessageReason.OutcomeUnknown, "500"), null, Sent.AddHours(24), October, WorkingDays);
        var (late, lateEffect) = ReceiptRule.Apply(second, Channel.Email, ReceiptStatus.Deferred, 1, Sent.AddHours(24), Sent.AddHours(24), October, WorkingDays);
        Assert.Equal((ReceiptEffect.AlreadyKnown, MessageStatus.Unconfirmed), (lateEffect, late.Contact.Email.Status));

        // Sent once more already: silence again leaves it unsettled.
        var twice = UnknownRule.AfterSilence(second, 2, true, true, Sent.AddHours(48), October, WorkingDays);
        Assert.Equal((MessageStatus.Unconfirmed, MessageReason.Unsettled), (twice.Contact.Email.Status, twice.Contact.Email.Reason));
    }

    [Fact]
    public void A_message_accepted_but_without_a_final_status_at_the_end_of_the_retention_stays_sent_and_asks_for_contact()
    {
        var v = Lookup(Unknown(Channel.Sms), Channel.Sms, new NotifyRecord.Found(Channel.Sms, Id, Sent, ReceiptStatus.Deferred, Sent));

        var next = UnknownRule.Unsettle(v, Channel.Sms, "past the retention", Sent.AddDays(8), October, WorkingDays);

        Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled), (next.Contact.Sms.Status, next.Contact.Sms.Reason));
        Assert.Contains(next.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Contains(Referrals.Indexes.IndexRule.Of(next), e => e is Referrals.Indexes.StatusCheck { Settled: true });

        // Delivered later after all: the task is withdrawn.
        var (delivered, _) = ReceiptRule.Apply(next, Channel.Sms, ReceiptStatus.Delivered, 1, Sent.AddDays(9), Sent.AddDays(9), October, WorkingDays);
        Assert.Contains(delivered.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, State: TaskState.Withdrawn, WithdrawnBecause: TaskWithdrawal.Informed });
    }

    [Fact]
    public void The_webhook_is_healthy_only_with_an_answered_batch_in_each_6_hours_and_no_failure()
    {
        var hours = Enumerable.Range(0, 4).Select(i => i * 6).Select(h => new WebhookHour(WebhookHealthRule.HourOf(Sent.AddHours(h)), true, false)).ToList();

        Assert.True(WebhookHealthRule.Healthy(Sent, hours));
        Assert.False(WebhookHealthRule.Healthy(Sent, hours.Where(h => h.Hour != Sent.AddHours(12))));
        Assert.False(WebhookHealthRule.Healthy(Sent, [.. hours, new WebhookHour(Sent.AddHours(3), false, true)]));
        Assert.False(WebhookHealthRule.Healthy(Sent, [.. hours, new WebhookHour(Sent.AddHours(24), true, true)]));
        Assert.True(WebhookHealthRule.Healthy(Sent, [.. hours, new WebhookHour(Sent.AddHours(26), false, true)]));
    }
}
