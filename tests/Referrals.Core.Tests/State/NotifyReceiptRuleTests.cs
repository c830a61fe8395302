using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tests.Contact;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>
/// Rulebook 1.2 section 6 on GOV.UK Notify's receipts: a technical failure is resent at most 3 sends in all for a text
/// message and never for a letter, and a receipt settles only the message it comes from (its type and its id).
/// </summary>
public class NotifyReceiptRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);

    /// <summary>The victim's message on <paramref name="channel"/> claimed and accepted by Notify with id <paramref name="id"/> (null: its outcome unknown).</summary>
    private static VictimState Sent(VictimState v, Channel channel, string? id)
    {
        MessageState Send(MessageState m) => m with
        {
            Status = id is null ? MessageStatus.Unconfirmed : MessageStatus.Sent,
            Attempts = m.Attempts + 1,
            ProviderId = id,
        };
        return channel == Channel.Sms
            ? v with { Contact = v.Contact with { Sms = Send(v.Contact.Sms) } }
            : v with { Contact = v.Contact with { Letter = Send(v.Contact.Letter) } };
    }

    private static (VictimState Next, ReceiptEffect Effect, string Reason) Receive(VictimState v, Channel channel, ReceiptStatus kind, string id, Channel? reported = null, int? attempt = null) =>
        ReceiptRule.ApplyNotify(v, new NotifyReceiptIdentity(channel, attempt ?? v.Contact[channel].Attempts, reported ?? channel, id), kind, Now, Now, October, WorkingDays);

    private static VictimState TextFirst() => ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false));

    [Fact]
    public void A_texts_technical_failure_is_sent_again_at_most_three_sends_in_all_then_the_letter_goes()
    {
        var v = TextFirst();
        var reasons = new List<string>();
        for (var send = 1; send <= ReceiptRule.MaxTextSends; send++)
        {
            Assert.Equal(MessageStatus.Queued, v.Contact.Sms.Status);
            Assert.Equal(MessageStatus.NotNeeded, v.Contact.Letter.Status);
            var (next, effect, reason) = Receive(Sent(v, Channel.Sms, $"00000000-0000-4000-8000-00000000000{send}"), Channel.Sms, ReceiptStatus.NotSent, $"00000000-0000-4000-8000-00000000000{send}");
            Assert.Equal(ReceiptEffect.Applied, effect);
            reasons.Add(reason);
            v = next;
        }

        Assert.Equal(3, v.Contact.Sms.Attempts);
        Assert.Equal(MessageStatus.Failed, v.Contact.Sms.Status);
        Assert.Equal(MessageStatus.Queued, v.Contact.Letter.Status);
        Assert.Equal(
            [
                "Notify reported a technical failure (not sent): sent again, send 2 of at most 3",
                "Notify reported a technical failure (not sent): sent again, send 3 of at most 3",
                "Notify reported a technical failure (not sent) on send 3 of at most 3: the text message channel has failed for good",
            ],
            reasons);
        Assert.Contains(TallyCategories.MessageFailed(Channel.Sms), v.Counted.Keys);
    }

    [Fact]
    public void A_letters_technical_failure_is_never_sent_again_and_the_plan_moves_on()
    {
        var v = ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false));
        Assert.Equal(MessageStatus.Queued, v.Contact.Letter.Status);

        var (next, effect, reason) = Receive(Sent(v, Channel.Letter, "00000000-0000-4000-8000-000000000001"), Channel.Letter, ReceiptStatus.NotSent, "00000000-0000-4000-8000-000000000001");

        Assert.Equal(ReceiptEffect.Applied, effect);
        Assert.Equal((MessageStatus.Failed, 1), (next.Contact.Letter.Status, next.Contact.Letter.Attempts));
        Assert.Equal("Notify reported a technical failure: a letter is never sent again (Notify: do not try to send the letter again), so the letter channel has failed for good", reason);
        Assert.Contains(DeliveryKind.ContactNeeded, next.VcuTasks);
    }

    [Theory]
    [InlineData(Channel.Email)]
    [InlineData(Channel.Letter)]
    public void A_Notify_receipt_of_another_type_than_its_reference_names_is_never_applied(Channel reported)
    {
        var v = Sent(TextFirst(), Channel.Sms, "00000000-0000-4000-8000-000000000001");

        var (next, effect, reason) = Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000001", reported);

        Assert.Equal(ReceiptEffect.Mismatch, effect);
        Assert.Same(v, next);
        Assert.Equal($"Notify reports a {(reported == Channel.Email ? "email" : "letter")} but the reference names a text message", reason);
        Assert.Equal(ReceiptEffect.Applied, Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000001").Effect);
    }

    [Fact]
    public void A_Notify_receipt_can_never_settle_an_email()
    {
        var v = ContactRuleTests.Step(null, ContactRuleTests.Reachable());
        v = v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Sent });

        var (next, effect, _) = ReceiptRule.ApplyNotify(v, new NotifyReceiptIdentity(Channel.Email, 1, Channel.Email, "00000000-0000-4000-8000-000000000001"), ReceiptStatus.FailedForGood, Now, Now, October, WorkingDays);

        Assert.Equal(ReceiptEffect.Mismatch, effect);
        Assert.Equal((MessageStatus.Sent, MessageStatus.NotNeeded), (next.Contact.Email.Status, next.Contact.Sms.Status));
    }

    [Fact]
    public void A_receipt_whose_notification_id_is_not_the_one_stored_is_never_applied()
    {
        var v = Sent(TextFirst(), Channel.Sms, "00000000-0000-4000-8000-000000000001");

        var (next, effect, reason) = Receive(v, Channel.Sms, ReceiptStatus.FailedForGood, "00000000-0000-4000-8000-000000000002");

        Assert.Equal(ReceiptEffect.Mismatch, effect);
        Assert.Equal("the notification id is not the one Notify gave this text message", reason);
        Assert.Equal(MessageStatus.Sent, next.Contact.Sms.Status);
        Assert.Equal(MessageStatus.Delivered, Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000001").Next.Contact.Sms.Status);
    }

    [Fact]
    public void An_unconfirmed_send_takes_the_id_of_the_first_receipt_matched_by_reference_and_type_and_then_only_that_id()
    {
        var v = Sent(TextFirst(), Channel.Sms, id: null);
        Assert.Equal(MessageStatus.Unconfirmed, v.Contact.Sms.Status);

        var (settled, effect, _) = Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000007");

        Assert.Equal(ReceiptEffect.Applied, effect);
        Assert.Equal((MessageStatus.Delivered, "00000000-0000-4000-8000-000000000007"), (settled.Contact.Sms.Status, settled.Contact.Sms.ProviderId));
        Assert.Equal(ReceiptEffect.Mismatch, Receive(settled, Channel.Sms, ReceiptStatus.FailedForGood, "00000000-0000-4000-8000-000000000008").Effect);
        Assert.Equal(ReceiptEffect.AlreadyKnown, Receive(settled, Channel.Sms, ReceiptStatus.FailedForGood, "00000000-0000-4000-8000-000000000007").Effect);
    }

    [Fact]
    public void A_receipt_about_an_earlier_send_changes_nothing_and_one_about_a_send_never_made_is_unknown()
    {
        var v = Receive(Sent(TextFirst(), Channel.Sms, "00000000-0000-4000-8000-000000000001"), Channel.Sms, ReceiptStatus.NotSent, "00000000-0000-4000-8000-000000000001").Next;
        v = Sent(v, Channel.Sms, "00000000-0000-4000-8000-000000000002");

        var earlier = Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000001", attempt: 1);
        var never = Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000003", attempt: 3);
        var letter = Receive(v, Channel.Letter, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000003", attempt: 1);

        Assert.Equal((ReceiptEffect.AlreadyKnown, MessageStatus.Sent), (earlier.Effect, earlier.Next.Contact.Sms.Status));
        Assert.Equal((ReceiptEffect.UnknownMessage, ReceiptEffect.UnknownMessage), (never.Effect, letter.Effect));
        Assert.Equal(MessageStatus.Delivered, Receive(v, Channel.Sms, ReceiptStatus.Delivered, "00000000-0000-4000-8000-000000000002").Next.Contact.Sms.Status);
    }
}
