using Referrals.Contact;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>Changes between snapshots (rulebook section 3, "across snapshots") and the email's life, one transition each.</summary>
public class VictimTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    internal static VictimDecision Decide(string code, SupportAnswer support, bool? emailSafe = true, long version = 1, string[]? flags = null) =>
        Rulebook.Decide(new CrimeEvent(1, $"e{version}", Now, new Crime("DB/26/1", version, Now, new Offence(code, null), flags ?? [], null),
            [new Victim("V1", null, "Sam", null, null, "victim@example.org", emailSafe, null, null, null, false, false, false, support, null)]))[0];

    private static VictimState Apply(VictimState? previous, VictimDecision decision, Month? month = null) =>
        VictimTransition.Apply(previous, decision, Now, month ?? Month.Of(Now), WorkingDays).Next;

    [Fact]
    public void A_new_victim_takes_the_decision_of_its_first_snapshot()
    {
        var state = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        Assert.Equal((ReferralStatus.AutoReferred, "general", MessageStatus.Queued, 1L), (state.ReferralStatus, string.Join(',', state.ReferredServices), state.Contact.Email.Status, state.FirstSeenVersion));
    }

    [Fact]
    public void A_victim_who_first_appears_in_version_3_is_new_in_version_3() =>
        Assert.Equal(3, Apply(null, Decide("28E", SupportAnswer.NotAsked, version: 3)).FirstSeenVersion);

    [Fact]
    public void Declined_then_accepted_on_the_consent_pathway_is_ConvertedToYes_with_its_reason()
    {
        var declined = Apply(null, Decide("19C", SupportAnswer.Declined));
        var change = VictimTransition.Apply(declined, Decide("19C", SupportAnswer.Accepted, version: 2), Now, Month.Of(Now), WorkingDays);
        Assert.Equal(ReferralStatus.ConvertedToYes, change.Next.ReferralStatus);
        Assert.Equal(["general", "isva"], change.Next.ReferredServices);
        Assert.Contains("ConvertedToYes", Assert.Single(change.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertedToYes_stays_ConvertedToYes_while_the_victim_still_accepts()
    {
        var declined = Apply(null, Decide("19C", SupportAnswer.Declined));
        var converted = Apply(declined, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal(ReferralStatus.ConvertedToYes, Apply(converted, Decide("19C", SupportAnswer.Accepted, version: 3)).ReferralStatus);
    }

    [Fact]
    public void Awaiting_consent_then_accepted_is_Referred_not_ConvertedToYes()
    {
        var awaiting = Apply(null, Decide("19C", SupportAnswer.NotAsked));
        var change = VictimTransition.Apply(awaiting, Decide("19C", SupportAnswer.Accepted, version: 2), Now, Month.Of(Now), WorkingDays);
        Assert.Equal(ReferralStatus.Referred, change.Next.ReferralStatus);
        Assert.Empty(change.Reasons);
    }

    [Theory]
    [InlineData("28E", SupportAnswer.NotAsked)]
    [InlineData("19C", SupportAnswer.Accepted)]
    public void Referred_then_declined_is_Withdrawn_and_the_services_referred_are_kept(string code, SupportAnswer first)
    {
        var referred = Apply(null, Decide(code, first));
        var change = VictimTransition.Apply(referred, Decide(code, SupportAnswer.Declined, version: 2), Now, Month.Of(Now), WorkingDays);
        Assert.Equal(ReferralStatus.Withdrawn, change.Next.ReferralStatus);
        Assert.Equal(referred.ReferredServices, change.Next.ReferredServices);
        Assert.Contains("Withdrawn", Assert.Single(change.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Declined_without_ever_being_referred_is_Declined_not_Withdrawn()
    {
        var awaiting = Apply(null, Decide("19C", SupportAnswer.NotAsked));
        Assert.Equal(ReferralStatus.Declined, Apply(awaiting, Decide("19C", SupportAnswer.Declined, version: 2)).ReferralStatus);
    }

    [Fact]
    public void A_service_appears_once_however_often_the_victim_is_referred()
    {
        var first = Apply(null, Decide("19C", SupportAnswer.Accepted));
        var again = Apply(first, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal(["general", "isva"], again.ReferredServices);
    }

    [Theory]
    [InlineData(MessageStatus.Sending)]
    [InlineData(MessageStatus.Sent)]
    [InlineData(MessageStatus.Failed)]
    [InlineData(MessageStatus.Unconfirmed)]
    public void Once_an_email_is_being_sent_or_done_no_later_snapshot_changes_it(MessageStatus status)
    {
        var previous = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        previous = previous.With(Channel.Email, previous.Contact.Email with { Status = status });
        Assert.Equal(status, Apply(previous, Decide("28E", SupportAnswer.NotAsked, emailSafe: false, version: 2)).Contact.Email.Status);
    }

    [Fact]
    public void A_queued_email_is_withdrawn_if_a_later_snapshot_makes_it_unsafe()
    {
        var queued = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        var unsafeNow = Apply(queued, Decide("28E", SupportAnswer.NotAsked, emailSafe: false, version: 2));
        Assert.Equal((MessageStatus.Suppressed, MessageReason.UnsafeToContact, (DateTimeOffset?)null), (unsafeNow.Contact.Email.Status, unsafeNow.Contact.Email.Reason, unsafeNow.Contact.Email.QueuedAt));
    }

    [Fact]
    public void A_suppressed_email_is_queued_once_a_later_snapshot_confirms_the_address_safe_and_counts_in_that_month()
    {
        var suppressed = Apply(null, Decide("8N", SupportAnswer.NotAsked, emailSafe: null, flags: ["DomesticAbuse"]));
        Assert.Equal((MessageStatus.Suppressed, MessageReason.NotConfirmedSafe), (suppressed.Contact.Email.Status, suppressed.Contact.Email.Reason));
        var queued = Apply(suppressed, Decide("8N", SupportAnswer.NotAsked, emailSafe: true, version: 2, flags: ["DomesticAbuse"]), new Month(2026, 11));
        Assert.Equal((MessageStatus.Queued, new Month(2026, 11)), (queued.Contact.Email.Status, queued.Contact.Email.Month));
    }

    [Fact]
    public void A_queued_email_keeps_the_month_it_was_first_queued_in()
    {
        var queued = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        Assert.Equal(Month.Of(Now), Apply(queued, Decide("28E", SupportAnswer.NotAsked, version: 2), new Month(2026, 12)).Contact.Email.Month);
    }

    /// <summary>The deliveries asked for; a Victim Care Unit task's notice by its kind and its task's kind (its id is random).</summary>
    private static List<string> Work(VictimState? previous, VictimState next) =>
        [.. WorkPlan.Between(previous, next).Select(w => w.TaskId is { } task ? $"{w.Kind}:{next.Tasks.Find(task)!.Kind}" : DeliveryId.For(w.Kind, next.CrimeReference, next.VictimId, w.ServiceId))];

    [Fact]
    public void An_auto_referred_victim_asks_for_one_referral_per_service_and_nothing_more_on_a_repeat()
    {
        var first = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        Assert.Equal(["ref:DB/26/1:V1:general"], Work(null, first));
        Assert.Empty(Work(first, Apply(first, Decide("28E", SupportAnswer.NotAsked, version: 2))));
    }

    [Fact]
    public void Withdrawing_asks_for_a_withdrawal_to_every_service_referred_and_nothing_else()
    {
        var referred = Apply(null, Decide("19C", SupportAnswer.Accepted));
        var withdrawn = Apply(referred, Decide("19C", SupportAnswer.Declined, version: 2));
        Assert.Equal(["wd:DB/26/1:V1:general", "wd:DB/26/1:V1:isva"], Work(referred, withdrawn));
        Assert.Empty(Work(withdrawn, Apply(withdrawn, Decide("19C", SupportAnswer.Declined, version: 3))));
    }

    [Fact]
    public void Declining_on_the_consent_pathway_raises_one_single_session_offer_then_converting_refers()
    {
        var declined = Apply(null, Decide("19C", SupportAnswer.Declined));
        Assert.Equal(["SingleSessionOffer:SingleSessionOffer"], Work(null, declined));
        var converted = Apply(declined, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal(["ref:DB/26/1:V1:general", "ref:DB/26/1:V1:isva", "TaskWithdrawn:SingleSessionOffer"], Work(declined, converted));
        Assert.Equal(TaskWithdrawal.ConvertedToYes, Assert.Single(converted.Tasks.Tasks).WithdrawnBecause);
    }

    [Fact]
    public void Awaiting_consent_raises_one_consent_task_and_opting_out_raises_nothing()
    {
        var awaiting = Apply(null, Decide("19C", SupportAnswer.NotAsked));
        Assert.Equal(["ConsentRequest:ConsentRequest"], Work(null, awaiting));
        Assert.Empty(Work(awaiting, Apply(awaiting, Decide("19C", SupportAnswer.NotAsked, version: 2))));
        Assert.Empty(Work(null, Apply(null, Decide("28E", SupportAnswer.Declined))));
    }

    [Fact]
    public void Each_tally_category_is_counted_once_per_victim_in_the_month_it_first_happened()
    {
        var october = Apply(null, Decide("19C", SupportAnswer.Declined));
        var november = Apply(october, Decide("19C", SupportAnswer.Accepted, version: 2), new Month(2026, 11));
        var again = Apply(november, Decide("19C", SupportAnswer.Accepted, version: 3), new Month(2026, 12));

        Assert.Equal(
            ["ConvertedToYes@2026-11", "DaSexualOffences@2026-10", "DeclinedSupport@2026-10", "SingleSessionOffers@2026-10", "TotalVictims@2026-10", "Victims.EnhancedRights@2026-10", "Victims.SexualOffence@2026-10"],
            again.Counted.Select(e => $"{e.Key}@{e.Value}"));
        Assert.Equal(["ConvertedToYes"], TallyRule.Between(october, november).Select(e => e.Category));
        Assert.Empty(TallyRule.Between(november, again));
    }

    [Fact]
    public void A_suppressed_email_is_counted_under_its_reason()
    {
        var suppressed = Apply(null, Decide("28E", SupportAnswer.NotAsked, emailSafe: false));
        Assert.Contains(TallyCategories.EmailSuppressed(MessageReason.UnsafeToContact), suppressed.Counted.Keys);
    }
}
