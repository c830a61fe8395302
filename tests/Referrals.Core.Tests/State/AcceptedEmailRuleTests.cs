using Referrals.Contact;
using Referrals.Indexes;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using Referrals.Tests.Contact;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>
/// Rulebook 1.2 section 6: an email SendGrid accepted that has no final status once SendGrid can no longer report one (72
/// hours of deferral retries and 24 of webhook retries after the send) is settled by SendGrid's Email Activity API where
/// there is one, else stays as it is and asks the Victim Care Unit to make contact (<see cref="AcceptedEmailRule"/>).
/// </summary>
public class AcceptedEmailRuleTests
{
    private static readonly DateTimeOffset Sent = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);

    /// <summary>A victim emailed first (a text message safe after it), send 1 accepted by SendGrid, and a <c>processed</c> event since.</summary>
    private static VictimState Accepted()
    {
        var v = ContactRuleTests.Step(null, ContactRuleTests.Reachable());
        var claimed = v.With(Channel.Email, MessageTransition.Claim(v.Contact.Email, Sent));
        var sent = ContactRule.AfterSend(claimed, Channel.Email, 1, new Settlement(Settled.Done), "sg-1", Sent.AddSeconds(1), October, WorkingDays);
        return ReceiptRule.Apply(sent, Channel.Email, ReceiptStatus.Deferred, null, Sent.AddSeconds(2), Sent.AddSeconds(3), October, WorkingDays).Next;
    }

    private static (VictimState Next, string Reason) After(VictimState v, SendGridRecord? record, double hours = 96, int attempt = 1) =>
        AcceptedEmailRule.AfterFinalEventWindow(v, attempt, record, Sent.AddHours(hours), October, WorkingDays);

    [Fact]
    public void Without_a_final_event_96_hours_after_the_send_the_email_stays_sent_and_a_ContactNeeded_task_is_raised_never_a_resend_or_the_next_channel()
    {
        var v = Accepted();
        Assert.Equal((MessageStatus.Sent, (DateTimeOffset?)Sent.AddHours(96)), (v.Contact.Email.Status, AcceptedEmailRule.DueAt(v.Contact.Email)));

        var (early, wait) = After(v, null, hours: 95.9);
        Assert.Same(v, early);
        Assert.Contains("96 hours", wait, StringComparison.Ordinal);

        var (next, reason) = After(v, null);

        Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled, 1, 0), (next.Contact.Email.Status, next.Contact.Email.Reason, next.Contact.Email.Attempts, next.Contact.Email.Resends));
        Assert.Equal("no final SendGrid event 96 hours after send 1 (SendGrid retries a deferred email for 72 hours, its Event Webhook for 24)", reason);
        Assert.Equal($"{UnknownRule.UnsettledPrefix}{reason}: check SendGrid's activity feed", next.Contact.Email.Detail);
        Assert.Equal(MessageStatus.NotNeeded, next.Contact.Sms.Status);
        var task = Assert.Single(next.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Contains("Email:Unsettled", task.Reasons);
        Assert.Null(AcceptedEmailRule.DueAt(next.Contact.Email));

        // Again (a rerun, a redelivery): nothing changes, so no second task.
        Assert.Same(next, After(next, null, hours: 97).Next);
    }

    [Fact]
    public void Found_delivered_by_the_Email_Activity_API_it_is_delivered_dated_by_SendGrid_within_the_send_and_now_or_now_without_a_time()
    {
        var (next, reason) = After(Accepted(), new SendGridRecord.Found(ReceiptStatus.Delivered, Sent.AddHours(50)));

        Assert.Equal((MessageStatus.Delivered, (DateTimeOffset?)Sent.AddHours(50)), (next.Contact.Email.Status, next.Contact.Email.DeliveredAt));
        Assert.Equal("SendGrid's Email Activity API reported it delivered 96 hours after send 1", reason);
        Assert.DoesNotContain(next.Tasks.Tasks, t => t.IsOpen);
        Assert.Equal(MessageStatus.NotNeeded, next.Contact.Sms.Status);

        Assert.Equal(Sent.AddHours(96), After(Accepted(), new SendGridRecord.Found(ReceiptStatus.Delivered, null)).Next.Contact.Email.DeliveredAt);
        Assert.Equal(Sent, After(Accepted(), new SendGridRecord.Found(ReceiptStatus.Delivered, Sent.AddDays(-1))).Next.Contact.Email.DeliveredAt);
        Assert.Equal(Sent.AddHours(96), After(Accepted(), new SendGridRecord.Found(ReceiptStatus.Delivered, Sent.AddDays(9))).Next.Contact.Email.DeliveredAt);
    }

    [Fact]
    public void Found_not_delivered_by_the_Email_Activity_API_it_has_failed_for_good_as_a_bounce_and_the_plan_goes_on()
    {
        var (next, reason) = After(Accepted(), new SendGridRecord.Found(ReceiptStatus.FailedForGood, Sent.AddHours(72)));

        Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed), (next.Contact.Email.Status, next.Contact.Email.Reason));
        Assert.Equal("SendGrid's Email Activity API reported it not delivered 96 hours after send 1: failed for good, as a bounce", reason);
        Assert.Equal(MessageStatus.Queued, next.Contact.Sms.Status);
        Assert.Equal(0, next.Contact.Email.Resends);
    }

    [Theory]
    [InlineData(false, "SendGrid's Email Activity API still gave no final status 96 hours after send 1")] // processed, or a status SendGrid has added since
    [InlineData(true, "SendGrid's Email Activity API had no record of it 96 hours after send 1, and no final event came")]
    public void Still_processed_or_not_found_by_the_Email_Activity_API_it_is_unsettled_with_a_task(bool notFound, string why)
    {
        var (next, reason) = After(Accepted(), notFound ? new SendGridRecord.NotFound() : new SendGridRecord.Found(ReceiptStatus.Deferred, Sent.AddHours(1)));

        Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled, why), (next.Contact.Email.Status, next.Contact.Email.Reason, reason));
        Assert.Contains(next.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal(MessageStatus.NotNeeded, next.Contact.Sms.Status);
    }

    [Fact]
    public void Another_send_a_final_email_or_an_erased_victim_is_not_this_rules()
    {
        var v = Accepted();
        var (delivered, _) = ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Delivered, null, Sent.AddHours(1), Sent.AddHours(1), October, WorkingDays);
        var erased = Referrals.Privacy.RedactionRule.Erase(v, Sent.AddHours(2));

        Assert.Same(v, After(v, null, attempt: 2).Next);
        Assert.Same(delivered, After(delivered, null).Next);
        Assert.Same(erased, After(erased, null).Next);
        Assert.Null(AcceptedEmailRule.DueAt(delivered.Contact.Email));
    }

    [Fact]
    public void An_accepted_email_is_in_the_month_index_until_it_is_final_or_unsettled()
    {
        var v = Accepted();
        var (delivered, _) = ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Delivered, null, Sent.AddHours(1), Sent.AddHours(1), October, WorkingDays);

        Assert.Equal([new StatusCheck(v.CrimeReference, v.VictimId, Channel.Email, Sent.AddSeconds(1), false)], IndexRule.Of(v).OfType<StatusCheck>());
        Assert.Equal([new StatusCheck(v.CrimeReference, v.VictimId, Channel.Email, Sent.AddSeconds(1), true)], IndexRule.Of(delivered).OfType<StatusCheck>());
        Assert.Equal([new StatusCheck(v.CrimeReference, v.VictimId, Channel.Email, Sent.AddSeconds(1), true)], IndexRule.Of(After(v, null).Next).OfType<StatusCheck>());
    }
}
