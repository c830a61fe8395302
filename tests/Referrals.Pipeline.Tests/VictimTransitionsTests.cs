using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>Changes between snapshots (rulebook section 3, "across snapshots") and the email's life, without storage.</summary>
public class VictimTransitionsTests
{
    private static readonly ReferralRules Rules = new(new OffenceClassifier(OffenceCodeList.LoadDefault()), ServiceDirectory.LoadDefault(), new WorkingDayCalendar());
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    private static VictimDecision Decide(string code, SupportAnswer support, bool? emailSafe = true, long version = 1, string[]? flags = null) =>
        Rules.Decide(new CrimeEvent(1, $"e{version}", Now, new Crime("DB/26/1", version, Now, new Offence(code, null), flags ?? [], null),
            [new Victim("V1", null, "Sam", null, null, "victim@example.org", emailSafe, null, null, null, false, false, false, support, null)]))[0];

    private static VictimStateEntity Apply(VictimStateEntity? previous, VictimDecision decision) =>
        VictimTransitions.Apply(previous, decision, "DB%2F26%2F1", Now, Month.Of(Now));

    [Fact]
    public void A_new_victim_takes_the_decision_of_its_first_snapshot()
    {
        var state = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        Assert.Equal(("AutoReferred", "general", "Queued", 1L), (state.ReferralStatus, state.ReferredServices, state.EmailStatus, state.FirstSeenVersion));
    }

    [Fact]
    public void A_victim_who_first_appears_in_version_3_is_new_in_version_3() =>
        Assert.Equal(3, Apply(null, Decide("28E", SupportAnswer.NotAsked, version: 3)).FirstSeenVersion);

    [Fact]
    public void Declined_then_accepted_on_the_consent_pathway_is_ConvertedToYes()
    {
        var declined = Apply(null, Decide("19C", SupportAnswer.Declined));
        var accepted = Apply(declined, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal("ConvertedToYes", accepted.ReferralStatus);
        Assert.Equal("general,isva", accepted.ReferredServices);
    }

    [Fact]
    public void Awaiting_consent_then_accepted_is_Referred_not_ConvertedToYes()
    {
        var awaiting = Apply(null, Decide("19C", SupportAnswer.NotAsked));
        Assert.Equal("Referred", Apply(awaiting, Decide("19C", SupportAnswer.Accepted, version: 2)).ReferralStatus);
    }

    [Theory]
    [InlineData("28E", SupportAnswer.NotAsked)]
    [InlineData("19C", SupportAnswer.Accepted)]
    public void Referred_then_declined_is_Withdrawn_and_the_services_referred_are_kept(string code, SupportAnswer first)
    {
        var referred = Apply(null, Decide(code, first));
        var withdrawn = Apply(referred, Decide(code, SupportAnswer.Declined, version: 2));
        Assert.Equal("Withdrawn", withdrawn.ReferralStatus);
        Assert.Equal(referred.ReferredServices, withdrawn.ReferredServices);
    }

    [Fact]
    public void A_service_appears_once_however_often_the_victim_is_referred()
    {
        var first = Apply(null, Decide("19C", SupportAnswer.Accepted));
        var again = Apply(first, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal("general,isva", again.ReferredServices);
    }

    [Theory]
    [InlineData("Sending")]
    [InlineData("Sent")]
    [InlineData("Failed")]
    [InlineData("Unconfirmed")]
    public void Once_an_email_is_being_sent_or_done_no_later_snapshot_changes_it(string status)
    {
        var previous = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        previous.EmailStatus = status;
        Assert.Equal(status, Apply(previous, Decide("28E", SupportAnswer.NotAsked, emailSafe: false, version: 2)).EmailStatus);
    }

    [Fact]
    public void A_queued_email_is_withdrawn_if_a_later_snapshot_makes_it_unsafe()
    {
        var queued = Apply(null, Decide("28E", SupportAnswer.NotAsked));
        var unsafeNow = Apply(queued, Decide("28E", SupportAnswer.NotAsked, emailSafe: false, version: 2));
        Assert.Equal(("Suppressed", "UnsafeToContact"), (unsafeNow.EmailStatus, unsafeNow.EmailReason));
    }

    [Fact]
    public void A_suppressed_email_is_queued_once_a_later_snapshot_confirms_the_address_safe()
    {
        var suppressed = Apply(null, Decide("8N", SupportAnswer.NotAsked, emailSafe: null, flags: ["DomesticAbuse"]));
        Assert.Equal(("Suppressed", "NotConfirmedSafe"), (suppressed.EmailStatus, suppressed.EmailReason));
        Assert.Equal("Queued", Apply(suppressed, Decide("8N", SupportAnswer.NotAsked, emailSafe: true, version: 2, flags: ["DomesticAbuse"])).EmailStatus);
    }

    private static List<string> Work(VictimStateEntity? previous, VictimStateEntity next) =>
        [.. WorkPlan.Between(previous, next, Month.Of(Now)).Select(w => w.Id)];

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
        Assert.Equal(["vcu-session:DB/26/1:V1"], Work(null, declined));
        var converted = Apply(declined, Decide("19C", SupportAnswer.Accepted, version: 2));
        Assert.Equal(["ref:DB/26/1:V1:general", "ref:DB/26/1:V1:isva"], Work(declined, converted));
    }

    [Fact]
    public void Awaiting_consent_raises_one_consent_task_and_opting_out_raises_nothing()
    {
        Assert.Equal(["vcu-consent:DB/26/1:V1"], Work(null, Apply(null, Decide("19C", SupportAnswer.NotAsked))));
        Assert.Empty(Work(null, Apply(null, Decide("28E", SupportAnswer.Declined))));
    }

    [Fact]
    public void Each_tally_category_is_counted_once_per_victim_in_the_month_it_first_happened()
    {
        var october = Apply(null, Decide("19C", SupportAnswer.Declined));
        var november = VictimTransitions.Apply(october, Decide("19C", SupportAnswer.Accepted, version: 2), "DB%2F26%2F1", Now, new Month(2026, 11));
        var again = VictimTransitions.Apply(november, Decide("19C", SupportAnswer.Accepted, version: 3), "DB%2F26%2F1", Now, new Month(2026, 12));

        Assert.Equal(
            ["TotalVictims@2026-10", "DaSexualOffences@2026-10", "DeclinedSupport@2026-10", "SingleSessionOffers@2026-10", "ConvertedToYes@2026-11"],
            VictimTransitions.CountedEvents(again).Select(e => $"{e.Category}@{e.Month}"));
    }
}
