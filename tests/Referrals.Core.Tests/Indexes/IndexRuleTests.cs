using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Indexes;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tests.Contact;

namespace Referrals.Tests.Indexes;

/// <summary>The index entries a state implies, and those a change adds: what each write applies to the month index.</summary>
public class IndexRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_referred_victim_has_the_deadline_of_each_referral_the_first_instant_it_would_be_late_and_no_one_settles_it_but_its_delivery()
    {
        var victim = ContactRuleTests.Step(null, ContactRuleTests.Reachable());

        var due = Assert.IsType<DueWork>(Assert.Single(IndexRule.Of(victim)));

        Assert.Equal(ReferralStatus.AutoReferred, victim.ReferralStatus);
        Assert.Equal((DueWork.Referral, DeliveryId.For(DeliveryKind.Referral, victim.CrimeReference, victim.VictimId, "general"), "general", (bool?)null),
            (due.Kind, due.Id, due.ServiceId, due.Settled));
        Assert.Equal(Referrals.Calendar.London.At(victim.ReferralDueBy.AddDays(1), TimeOnly.MinValue), due.DueAt);
        Assert.Equal(due.DueAt, due.At);
    }

    [Theory]
    [InlineData(MessageStatus.Queued, null)]
    [InlineData(MessageStatus.Sending, null)]
    [InlineData(MessageStatus.Sent, false)]
    [InlineData(MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Failed, true)]
    [InlineData(MessageStatus.Unconfirmed, true)]
    public void A_text_message_Notify_accepted_waits_for_its_status_until_it_is_settled(MessageStatus status, bool? settled)
    {
        var victim = ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: false));
        victim = victim with { Contact = victim.Contact with { Sms = victim.Contact.Sms with { Status = status, SentAt = Now, ProviderId = "n-1", Attempts = 1 } } };

        var checks = IndexRule.Of(victim).OfType<StatusCheck>().ToList();

        Assert.Equal(settled is null ? [] : [new StatusCheck(victim.CrimeReference, victim.VictimId, Channel.Sms, Now, settled.Value)], checks);
        Assert.NotEmpty(IndexRule.Of(victim).OfType<DueWork>());
    }

    [Fact]
    public void A_delivered_referral_settles_its_deadline_and_is_indexed_by_the_instant_it_arrived()
    {
        var pending = new DeliveryState(DeliveryId.For(DeliveryKind.Referral, "C/1", "V1", "general"), DeliveryKind.Referral, "C/1", "V1", "general", "api",
            DeliveryStatus.Pending, null, new Month(2026, 10), new DateOnly(2026, 10, 7), 0, Now);
        var delivered = DeliveryTransition.Delivered(DeliveryTransition.Claim(pending, Now), Now.AddMinutes(1), 201);

        var before = IndexRule.Of(pending).ToList();
        var after = IndexRule.Of(delivered).ToList();

        Assert.Equal(false, Assert.IsType<DueWork>(Assert.Single(before)).Settled);
        Assert.Equal(true, after.OfType<DueWork>().Single().Settled);
        Assert.Equal(new Delivered(pending.Id, DeliveryKind.Referral, "C/1", "V1", "general", Now.AddMinutes(1), new DateOnly(2026, 10, 7), true), after.OfType<Delivered>().Single());
        Assert.Equal(after, IndexRule.Between(before, after));
        Assert.Empty(IndexRule.Between(after, after));
        Assert.Empty(IndexRule.Of(pending with { Kind = DeliveryKind.ContactNeeded, DueBy = null }));
    }

    [Fact]
    public void A_snapshot_issues_an_id_for_each_referral_it_hands_on_and_none_for_one_already_handed_on()
    {
        var victim = ContactRuleTests.Step(null, ContactRuleTests.Reachable());
        string IdOf(string deliveryId) => PublicReferralIds.Located(Month.Of(Now), 3, System.Text.Encoding.UTF8.GetBytes(deliveryId.PadRight(20, '.')));

        var issued = Assert.Single(IndexRule.Issued(null, victim, Now, IdOf));

        Assert.Equal(new ReferralIssued(IdOf(DeliveryId.For(DeliveryKind.Referral, victim.CrimeReference, victim.VictimId, "general")), victim.CrimeReference, victim.VictimId, "general", Now), issued);
        Assert.Equal(Now, issued.At);
        Assert.Empty(IndexRule.Issued(victim, victim, Now, IdOf));
    }

    [Fact]
    public void Reindex_rebuilds_a_referrals_row_by_its_self_locating_id_in_the_month_it_names_and_none_for_an_id_issued_the_old_way()
    {
        string IdOf(DateTimeOffset at, string deliveryId) => PublicReferralIds.Located(Month.Of(at), 3, System.Text.Encoding.UTF8.GetBytes(deliveryId.PadRight(20, '.')));
        var id = DeliveryId.For(DeliveryKind.Referral, "DB/26/000101", "V1", "general");
        var referral = new DeliveryState(id, DeliveryKind.Referral, "DB/26/000101", "V1", "general", "api", DeliveryStatus.Delivered, null, Month.Of(Now), null, 1, Now.AddDays(40), PublicId: IdOf(Now, id));

        var rebuilt = Assert.Single(IndexRule.Reissued(referral, IdOf));

        Assert.Equal((referral.PublicId, "DB/26/000101", "V1", "general", Month.Of(Now)), (rebuilt.PublicId, rebuilt.CrimeReference, rebuilt.VictimId, rebuilt.ServiceId, Month.Of(rebuilt.At)));
        Assert.Empty(IndexRule.Reissued(referral with { PublicId = referral.PublicId![..8] + PublicReferralIds.New()[8..] }, IdOf));
        Assert.Empty(IndexRule.Reissued(referral with { PublicId = null }, IdOf));
        Assert.Empty(IndexRule.Reissued(referral with { Kind = DeliveryKind.Withdrawal }, IdOf));
    }

    [Fact]
    public void A_referrals_ids_issued_again_are_looked_for_from_the_month_of_its_own_id_to_the_crimes_last_snapshot_and_no_further_than_ten_years()
    {
        var own = PublicReferralIds.Located(new Month(2026, 10), 3, new byte[20]);

        Assert.Equal([new Month(2026, 10), new Month(2026, 11), new Month(2026, 12)], PublicReferralIds.ReissuableIn(own, Now.AddDays(1), new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal([new Month(2026, 11)], PublicReferralIds.ReissuableIn(PublicReferralIds.New()[..2] + "ZZZZZ" + own[7..], new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero)));
        Assert.Empty(PublicReferralIds.ReissuableIn(own, Now, Now.AddMonths(-2)));
        Assert.Equal(PublicReferralIds.MaxReissuableMonths, PublicReferralIds.ReissuableIn(null, Now, Now.AddYears(50)).Count());
    }
}
