using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Tests.State;

/// <summary>Whether a delivery is still warranted, what a withdrawal does, the claims and the settlement of a result.</summary>
public class DeliveryRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(DeliveryKind.Referral, ReferralStatus.AutoReferred, true)]
    [InlineData(DeliveryKind.Referral, ReferralStatus.Referred, true)]
    [InlineData(DeliveryKind.Referral, ReferralStatus.ConvertedToYes, true)]
    [InlineData(DeliveryKind.Referral, ReferralStatus.Withdrawn, false)]
    [InlineData(DeliveryKind.Referral, ReferralStatus.Declined, false)]
    [InlineData(DeliveryKind.Withdrawal, ReferralStatus.Withdrawn, true)]
    [InlineData(DeliveryKind.Withdrawal, ReferralStatus.Referred, false)]
    [InlineData(DeliveryKind.SingleSessionOffer, ReferralStatus.Declined, true)]
    [InlineData(DeliveryKind.SingleSessionOffer, ReferralStatus.ConvertedToYes, false)]
    [InlineData(DeliveryKind.ConsentRequest, ReferralStatus.AwaitingConsent, true)]
    [InlineData(DeliveryKind.ConsentRequest, ReferralStatus.Referred, false)]
    public void A_delivery_is_warranted_only_while_the_victim_status_still_asks_for_it(DeliveryKind kind, ReferralStatus status, bool warranted)
    {
        var whyNot = DeliveryWarrant.WhyNot(kind, status);
        Assert.Equal(warranted, whyNot is null);
        if (whyNot is not null)
        {
            Assert.Equal($"no longer warranted: the victim is now {status}", whyNot);
        }
    }

    [Theory]
    [InlineData(DeliveryStatus.Delivered, WithdrawalStep.Send)]
    [InlineData(DeliveryStatus.Unconfirmed, WithdrawalStep.Send)]
    [InlineData(DeliveryStatus.Sending, WithdrawalStep.WaitForReferral)]
    [InlineData(DeliveryStatus.Pending, WithdrawalStep.CancelReferral)]
    [InlineData(DeliveryStatus.Failed, WithdrawalStep.NothingToWithdraw)]
    [InlineData(DeliveryStatus.Cancelled, WithdrawalStep.NothingToWithdraw)]
    [InlineData(null, WithdrawalStep.NothingToWithdraw)]
    public void A_withdrawal_is_sent_only_after_a_referral_that_reached_or_may_have_reached_the_service(DeliveryStatus? referral, WithdrawalStep step) =>
        Assert.Equal(step, WithdrawalRule.Next(referral));

    [Theory]
    [InlineData(EmailStatus.Queued, 0, ClaimStep.Send)]
    [InlineData(EmailStatus.Sending, 1, ClaimStep.RetryLater)]
    [InlineData(EmailStatus.Sending, 10, ClaimStep.Unconfirmed)]
    [InlineData(EmailStatus.Sent, 0, ClaimStep.Recount)]
    [InlineData(EmailStatus.Suppressed, 0, ClaimStep.Nothing)]
    [InlineData(EmailStatus.Failed, 0, ClaimStep.Nothing)]
    [InlineData(EmailStatus.Unconfirmed, 0, ClaimStep.Nothing)]
    public void An_email_is_claimed_only_from_Queued_and_a_stale_claim_is_never_sent_again(EmailStatus status, int minutesAgo, ClaimStep step) =>
        Assert.Equal(step, ClaimRule.ForEmail(new EmailState(status, AttemptedAt: Now.AddMinutes(-minutesAgo)), Now, TimeSpan.FromMinutes(5)));

    [Theory]
    [InlineData(DeliveryStatus.Pending, 0, true, ClaimStep.Send)]
    [InlineData(DeliveryStatus.Sending, 1, true, ClaimStep.RetryLater)]
    [InlineData(DeliveryStatus.Sending, 10, true, ClaimStep.Send)]
    [InlineData(DeliveryStatus.Sending, 10, false, ClaimStep.Unconfirmed)]
    [InlineData(DeliveryStatus.Delivered, 0, true, ClaimStep.Recount)]
    [InlineData(DeliveryStatus.Cancelled, 0, true, ClaimStep.Nothing)]
    [InlineData(DeliveryStatus.Failed, 0, true, ClaimStep.Nothing)]
    [InlineData(DeliveryStatus.Unconfirmed, 0, true, ClaimStep.Nothing)]
    public void A_stale_delivery_claim_is_sent_again_only_where_the_service_dedupes(DeliveryStatus status, int minutesAgo, bool idempotent, ClaimStep step) =>
        Assert.Equal(step, ClaimRule.ForDelivery(Delivery(DeliveryKind.Referral) with { Status = status, AttemptedAt = Now.AddMinutes(-minutesAgo) }, Now, TimeSpan.FromMinutes(5), idempotent));

    [Theory]
    [InlineData(OutcomeKind.Done, 1, Settled.Done, null)]
    [InlineData(OutcomeKind.Permanent, 1, Settled.Failed, "r")]
    [InlineData(OutcomeKind.Unknown, 1, Settled.Unconfirmed, "r: check")]
    [InlineData(OutcomeKind.Transient, 1, Settled.Retry, "r")]
    [InlineData(OutcomeKind.Transient, 5, Settled.Failed, "retries exhausted after 5 deliveries: r")]
    public void A_result_is_settled_the_same_way_for_emails_and_deliveries(OutcomeKind kind, long dequeueCount, Settled settled, string? reason) =>
        Assert.Equal((settled, reason), OutcomeRule.Settle(new Outcome(kind, kind == OutcomeKind.Done ? null : "r"), dequeueCount, 5, "check"));

    [Theory]
    [InlineData(6, true)]
    [InlineData(7, false)]
    public void A_referral_is_on_time_when_delivered_on_or_before_its_due_date_in_London(int day, bool onTime)
    {
        var delivered = DeliveryTransition.Delivered(Delivery(DeliveryKind.Referral), new DateTimeOffset(2026, 10, day, 22, 30, 0, TimeSpan.Zero).AddHours(-1), 202);
        Assert.Equal(onTime, delivered.OnTime);
        Assert.Equal(
            ["ReferralsDelivered", "Delivered.general", onTime ? "ReferralsOnTime" : "ReferralsLate"],
            DeliveryTallyRule.Delivered(delivered).Select(e => e.Category));
    }

    [Fact]
    public void A_withdrawal_or_task_delivered_has_no_due_date_and_counts_once_under_its_kind()
    {
        var withdrawal = DeliveryTransition.Delivered(Delivery(DeliveryKind.Withdrawal) with { DueBy = null }, Now, 202);
        Assert.Null(withdrawal.OnTime);
        Assert.Equal(["WithdrawalNotices"], DeliveryTallyRule.Delivered(withdrawal).Select(e => e.Category));
        Assert.Equal(["VcuTasksDelivered"], DeliveryTallyRule.Delivered(Delivery(DeliveryKind.ConsentRequest) with { DueBy = null }).Select(e => e.Category));
    }

    private static DeliveryState Delivery(DeliveryKind kind) =>
        new(DeliveryId.For(kind, "DB/26/1", "V1", "general"), kind, "DB/26/1", "V1", "general", "Http", DeliveryStatus.Pending, null,
            new Month(2026, 10), new DateOnly(2026, 10, 6), 0, Now);
}
