using Referrals.Contact;
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
    [InlineData(MessageStatus.Queued, 0, ClaimStep.Send)]
    [InlineData(MessageStatus.Sending, 1, ClaimStep.RetryLater)]
    [InlineData(MessageStatus.Sending, 10, ClaimStep.Unconfirmed)]
    [InlineData(MessageStatus.Sent, 0, ClaimStep.Nothing)]
    [InlineData(MessageStatus.Suppressed, 0, ClaimStep.Nothing)]
    [InlineData(MessageStatus.NotNeeded, 0, ClaimStep.Nothing)]
    [InlineData(MessageStatus.Failed, 0, ClaimStep.Nothing)]
    [InlineData(MessageStatus.Unconfirmed, 0, ClaimStep.Nothing)]
    [InlineData(MessageStatus.Delivered, 0, ClaimStep.Nothing)]
    public void A_message_on_any_channel_is_claimed_only_from_Queued_and_a_stale_claim_is_never_sent_again(MessageStatus status, int minutesAgo, ClaimStep step)
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var victim = Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable());
            victim = victim.With(channel, new MessageState(status, AttemptedAt: Now.AddMinutes(-minutesAgo), Attempts: 2));

            var claim = ClaimRule.ForMessage(victim, channel, Now, TimeSpan.FromMinutes(5));

            Assert.Equal(step, claim.Step);
            Assert.Equal(step switch
            {
                ClaimStep.Send => (MessageStatus.Sending, 3),
                ClaimStep.Unconfirmed => (MessageStatus.Unconfirmed, 2),
                _ => ((MessageStatus, int)?)null,
            }, claim.Next is { } next ? (next.Contact[channel].Status, next.Contact[channel].Attempts) : null);
        }
    }

    [Theory]
    [InlineData(MessageStatus.Queued)]
    [InlineData(MessageStatus.Sending)]
    public void A_held_crimes_message_waits_unclaimed(MessageStatus status)
    {
        var held = Contact.ContactRuleTests.Step(null, Contact.ContactRuleTests.Reachable(), flags: ["HoldContact"]);
        held = held.With(Channel.Email, new MessageState(status, AttemptedAt: Now.AddMinutes(-10)));

        var claim = ClaimRule.ForMessage(held, Channel.Email, Now, TimeSpan.FromMinutes(5));

        Assert.Equal((ClaimStep.Held, null), (claim.Step, claim.Next));
        Assert.StartsWith("the crime is held (HoldContact)", claim.Reason, StringComparison.Ordinal);
    }

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
    [InlineData("accepted", 1, Settled.Done, null, null)]
    [InlineData("permanent", 1, Settled.Failed, MessageReason.Refused, "r")]
    [InlineData("unknown", 1, Settled.Unconfirmed, MessageReason.OutcomeUnknown, "r: check")]
    [InlineData("transient", 1, Settled.Retry, null, "r")]
    [InlineData("transient", 5, Settled.Failed, MessageReason.RetriesExhausted, "retries exhausted after 5 deliveries: r")]
    public void A_result_is_settled_the_same_way_for_messages_and_deliveries(string outcome, long dequeueCount, Settled settled, MessageReason? reason, string? detail)
    {
        SendOutcome answer = outcome switch
        {
            "accepted" => new SendOutcome.Accepted("id", 202),
            "permanent" => new SendOutcome.Permanent("r", 400),
            "unknown" => new SendOutcome.Unknown("r"),
            _ => new SendOutcome.Transient("r"),
        };
        Assert.Equal(new Settlement(settled, reason, detail), OutcomeRule.Settle(answer, dequeueCount, 5, "check"));
    }

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
