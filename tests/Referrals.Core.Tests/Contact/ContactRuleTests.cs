using Referrals.Contact;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contact;

/// <summary>Rulebook 1.1 sections 6 and 9 across snapshots, failures and receipts: the typed state machine.</summary>
public class ContactRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);
    private static readonly PostalAddress Address = PostalAddress.Create(["12 Example Street", "Matlock"], "DE4 3AG");

    internal static Victim Reachable(bool? emailSafe = true, bool? phoneSafe = true, bool? addressSafe = true) =>
        Victim(emailSafe: emailSafe) with { Phone = "07700 900123", PhoneSafe = phoneSafe, Address = Address, AddressSafe = addressSafe };

    internal static VictimState Step(VictimState? previous, Victim victim, long version = 1, string[]? flags = null) =>
        VictimTransition.Apply(previous, Decide(Snapshot("28E", flags, version: version, victims: victim)), Now, October, WorkingDays).Next;

    private static VictimState Sent(VictimState v, Channel channel) => channel switch
    {
        Channel.Email => v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Sent }),
        Channel.Sms => v with { Contact = v.Contact with { Sms = v.Contact.Sms with { Status = MessageStatus.Sent, Attempts = v.Contact.Sms.Attempts + 1 } } },
        _ => v with { Contact = v.Contact with { Letter = v.Contact.Letter with { Status = MessageStatus.Sent, Attempts = v.Contact.Letter.Attempts + 1 } } },
    };

    private static VictimState Receipt(VictimState v, Channel channel, ReceiptStatus kind, int? attempt = null) =>
        ReceiptRule.Apply(v, channel, kind, attempt, Now, Now, October, WorkingDays).Next;

    [Fact]
    public void A_first_snapshot_queues_only_the_first_safe_channel()
    {
        var v = Step(null, Reachable(emailSafe: false));
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Email.Status);
        Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
        Assert.Equal(MessageStatus.NotNeeded, v.Contact.Letter.Status);
        Assert.DoesNotContain(DeliveryKind.ContactNeeded, v.VcuTasks);
    }

    [Fact]
    public void A_bounced_email_passes_the_information_to_the_text_message()
    {
        var v = Receipt(Sent(Step(null, Reachable()), Channel.Email), Channel.Email, ReceiptStatus.FailedForGood);
        Assert.Equal(MessageStatus.Failed, v.Contact.Email.Status);
        Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
        Assert.Contains(TallyCategories.MessageFailed(Channel.Email), v.Counted.Keys);
    }

    [Fact]
    public void When_every_safe_channel_failed_the_Victim_Care_Unit_is_asked_once()
    {
        var v = Step(null, Reachable(addressSafe: false));
        v = Receipt(Sent(v, Channel.Email), Channel.Email, ReceiptStatus.FailedForGood);
        Assert.DoesNotContain(DeliveryKind.ContactNeeded, v.VcuTasks);
        var before = v;
        v = Receipt(Sent(v, Channel.Sms), Channel.Sms, ReceiptStatus.FailedForGood, 1);
        Assert.Contains(DeliveryKind.ContactNeeded, v.VcuTasks);
        Assert.Equal([new PlannedDelivery(DeliveryKind.ContactNeeded, "vcu", Assert.Single(v.Tasks.Tasks).Id)], WorkPlan.Between(before, v));
        var later = Step(v, Reachable(addressSafe: false), version: 2);
        Assert.Empty(WorkPlan.Between(v, later));
    }

    [Fact]
    public void No_later_channel_once_an_earlier_one_is_delivered_while_it_stands_delivered()
    {
        var v = Receipt(Sent(Step(null, Reachable()), Channel.Email), Channel.Email, ReceiptStatus.Delivered);
        Assert.Equal(MessageStatus.Delivered, v.Contact.Email.Status);
        v = Receipt(v, Channel.Email, ReceiptStatus.Deferred);
        Assert.Equal(MessageStatus.Delivered, v.Contact.Email.Status);
        v = Step(v, Reachable(emailSafe: false), version: 2);
        Assert.Equal(MessageStatus.Delivered, v.Contact.Email.Status);
        Assert.NotEqual(MessageStatus.Queued, v.Contact.Sms.Status);
        Assert.Contains(TallyCategories.InformedBy(Channel.Email), v.Counted.Keys);
    }

    [Fact]
    public void A_delivered_text_message_stays_delivered_whatever_Notify_reports_later()
    {
        var v = Receipt(Sent(Step(null, Reachable(emailSafe: false)), Channel.Sms), Channel.Sms, ReceiptStatus.Delivered, 1);
        var later = Receipt(v, Channel.Sms, ReceiptStatus.FailedForGood, 1);
        Assert.Equal(MessageStatus.Delivered, later.Contact.Sms.Status);
        Assert.Equal(MessageStatus.NotNeeded, later.Contact.Letter.Status);
        Assert.Same(v, later);
    }

    [Fact]
    public void While_a_message_is_in_flight_no_other_channel_starts()
    {
        var v = Sent(Step(null, Reachable(emailSafe: false)), Channel.Sms);
        v = Step(v, Reachable(emailSafe: true), version: 2);
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Email.Status);
        Assert.Equal(MessageReason.AnotherChannel, v.Contact.Email.Reason);
        Assert.Equal(MessageStatus.Sent, v.Contact.Sms.Status);
    }

    [Fact]
    public void A_channel_that_becomes_safe_later_is_used_then_after_the_task()
    {
        var v = Step(null, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false));
        Assert.Contains(DeliveryKind.ContactNeeded, v.VcuTasks);
        var later = Step(v, Reachable(emailSafe: false, phoneSafe: true, addressSafe: false), version: 2);
        Assert.Equal(MessageStatus.Queued, later.Contact.Sms.Status);
        Assert.Empty(WorkPlan.Between(v, later));
    }

    [Fact]
    public void A_failed_channel_is_never_used_again_even_when_safe()
    {
        var v = Receipt(Sent(Step(null, Reachable(emailSafe: false)), Channel.Sms), Channel.Sms, ReceiptStatus.FailedForGood, 1);
        Assert.Equal(MessageStatus.Queued, v.Contact.Letter.Status);
        v = Step(v, Reachable(emailSafe: false), version: 2);
        Assert.Equal(MessageStatus.Failed, v.Contact.Sms.Status);
        Assert.Equal(MessageStatus.Queued, v.Contact.Letter.Status);
    }

    [Fact]
    public void A_queued_message_not_yet_sent_follows_the_latest_snapshot()
    {
        var v = Step(null, Reachable());
        v = Step(v, Reachable(emailSafe: false), version: 2);
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Email.Status);
        Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
    }

    [Fact]
    public void A_technical_failure_of_the_latest_send_queues_the_same_channel_again_and_a_stale_one_changes_nothing()
    {
        var v = Sent(Step(null, Reachable(emailSafe: false)), Channel.Sms);
        v = Receipt(v, Channel.Sms, ReceiptStatus.NotSent, 1);
        Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
        v = Sent(v, Channel.Sms);
        var (after, effect) = ReceiptRule.Apply(v, Channel.Sms, ReceiptStatus.NotSent, 1, Now, Now, October, WorkingDays);
        Assert.Equal(ReceiptEffect.AlreadyKnown, effect);
        Assert.Equal(MessageStatus.Sent, after.Contact.Sms.Status);
    }

    [Fact]
    public void Receipts_never_move_a_status_backwards_and_repeats_change_nothing()
    {
        var v = Receipt(Sent(Step(null, Reachable(emailSafe: false)), Channel.Sms), Channel.Sms, ReceiptStatus.Delivered, 1);
        foreach (var kind in Enum.GetValues<ReceiptStatus>())
        {
            var (after, effect) = ReceiptRule.Apply(v, Channel.Sms, kind, 1, Now, Now, October, WorkingDays);
            Assert.Equal(ReceiptEffect.AlreadyKnown, effect);
            Assert.Equal(MessageStatus.Delivered, after.Contact.Sms.Status);
        }
    }

    [Fact]
    public void A_receipt_for_a_channel_never_sent_is_unknown()
    {
        var v = Step(null, Reachable());
        Assert.Equal(ReceiptEffect.UnknownMessage, ReceiptRule.Apply(v, Channel.Letter, ReceiptStatus.Delivered, 1, Now, Now, October, WorkingDays).Effect);
        Assert.Equal(ReceiptEffect.UnknownMessage, ReceiptRule.Apply(v, Channel.Email, ReceiptStatus.Delivered, null, Now, Now, October, WorkingDays).Effect);
    }

    [Fact]
    public void A_receipt_settles_an_unconfirmed_email()
    {
        var v = Step(null, Reachable());
        v = v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Unconfirmed });
        Assert.Equal(MessageStatus.Delivered, Receipt(v, Channel.Email, ReceiptStatus.Delivered).Contact.Email.Status);
        Assert.Equal(MessageStatus.Queued, Receipt(v, Channel.Email, ReceiptStatus.FailedForGood).Contact.Sms.Status);
    }

    [Fact]
    public void A_bereaved_family_after_a_homicide_gets_no_message_and_no_task()
    {
        var v = VictimTransition.Apply(null, Decide(Snapshot("1", victims: Reachable() with { BereavedRelative = true })), Now, October, WorkingDays).Next;
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Email.Status);
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Sms.Status);
        Assert.DoesNotContain(DeliveryKind.ContactNeeded, v.VcuTasks);
    }

    [Fact]
    public void A_held_crime_asks_for_nothing_and_its_release_asks_for_everything_once()
    {
        var held = Step(null, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false) with { Support = SupportAnswer.NotAsked }, flags: ["HoldContact"]);
        Assert.True(held.Contact.Held);
        Assert.Empty(WorkPlan.Between(null, held));
        Assert.Contains(TallyCategories.HeldContact, held.Counted.Keys);
        Assert.Contains(DeliveryKind.ContactNeeded, held.VcuTasks);

        var stillHeld = Step(held, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false), version: 2, flags: ["HoldContact"]);
        Assert.Empty(WorkPlan.Between(held, stillHeld));

        var released = Step(stillHeld, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false), version: 3);
        Assert.Equal(
            [new PlannedDelivery(DeliveryKind.Referral, "general"), new PlannedDelivery(DeliveryKind.ContactNeeded, "vcu", Assert.Single(released.Tasks.Tasks).Id)],
            WorkPlan.Between(stillHeld, released));
        Assert.Empty(WorkPlan.Between(released, Step(released, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false), version: 4)));
        Assert.Equal(held.ReferralDueBy, released.ReferralDueBy);
    }

    [Fact]
    public void Held_deliveries_wait_and_a_contact_needed_task_is_not_warranted_once_the_information_is_delivered()
    {
        var held = Step(null, Reachable(), flags: ["HoldContact"]);
        Assert.True(HoldRule.IsHeld(held));
        Assert.Equal((DeliveryStatus.Pending, HoldRule.Reason), DeliveryWarrant.NotSent(DeliveryKind.Referral, held));
        var delivered = Receipt(Sent(Step(null, Reachable()), Channel.Email), Channel.Email, ReceiptStatus.Delivered);
        Assert.Equal((DeliveryStatus.Cancelled, "no longer warranted: the victim has been sent the information"), DeliveryWarrant.NotSent(DeliveryKind.ContactNeeded, delivered));
        Assert.Null(DeliveryWarrant.NotSent(DeliveryKind.ContactNeeded, Step(null, Reachable())));
    }
}
