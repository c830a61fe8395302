using Referrals.Contract;
using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook sections 2 and 3: the pathway, and every row of the referral decision table.</summary>
public class PathwayAndReferralTests
{
    [Fact]
    public void Sexual_offence_victims_are_on_the_consent_pathway() =>
        Assert.Equal(Pathway.Consent, Decide("19C").Pathway);

    [Fact]
    public void Domestic_abuse_victims_are_on_the_consent_pathway() =>
        Assert.Equal(Pathway.Consent, Decide("8N", ["DomesticAbuse"]).Pathway);

    [Fact]
    public void Bereaved_relatives_are_on_the_consent_pathway() =>
        Assert.Equal(Pathway.Consent, Decide("28E", victim: Victim(bereavedRelative: true)).Pathway);

    [Fact]
    public void Unclassified_offences_are_on_the_consent_pathway() =>
        Assert.Equal(Pathway.Consent, Decide("ZZ9").Pathway);

    [Theory]
    [InlineData("28E")]
    [InlineData("8Q")]
    [InlineData("8L")]
    [InlineData("4.4")]
    [InlineData("1")]
    public void Other_classified_offences_are_on_the_opt_out_pathway(string code) =>
        Assert.Equal(Pathway.OptOut, Decide(code).Pathway);

    [Theory]
    [InlineData(SupportAnswer.NotAsked)]
    [InlineData(SupportAnswer.Accepted)]
    public void Opt_out_victim_not_declining_is_auto_referred_to_the_automatic_services(SupportAnswer support)
    {
        var decision = Decide("8Q", victim: Victim(support: support));
        Assert.Equal(ReferralOutcome.AutoReferred, decision.Referral);
        Assert.Equal(["general"], decision.Services);
        Assert.Equal(["general", "stalking"], decision.EligibleServices);
        Assert.False(decision.SingleSessionOffer);
    }

    [Fact]
    public void Opt_out_victim_who_declines_is_opted_out_with_no_service()
    {
        var decision = Decide("28E", victim: Victim(support: SupportAnswer.Declined));
        Assert.Equal(ReferralOutcome.OptedOut, decision.Referral);
        Assert.Empty(decision.Services);
        Assert.False(decision.SingleSessionOffer);
    }

    [Fact]
    public void Consent_victim_not_yet_asked_awaits_consent_with_no_service()
    {
        var decision = Decide("19C", victim: Victim(support: SupportAnswer.NotAsked));
        Assert.Equal(ReferralOutcome.AwaitingConsent, decision.Referral);
        Assert.Empty(decision.Services);
        Assert.False(decision.SingleSessionOffer);
    }

    [Fact]
    public void Consenting_domestic_abuse_victim_is_referred_to_every_eligible_service()
    {
        var decision = Decide("8N", ["DomesticAbuse"], Victim(support: SupportAnswer.Accepted));
        Assert.Equal(ReferralOutcome.Referred, decision.Referral);
        Assert.Equal(["general", "idva"], decision.Services);
        Assert.Equal(decision.EligibleServices, decision.Services);
    }

    [Fact]
    public void Declined_sexual_offence_victim_gets_single_session_offer()
    {
        var decision = Decide("19C", victim: Victim(support: SupportAnswer.Declined));
        Assert.Equal(ReferralOutcome.Declined, decision.Referral);
        Assert.Empty(decision.Services);
        Assert.True(decision.SingleSessionOffer);
    }

    [Fact]
    public void Every_decision_says_which_rules_fired()
    {
        var decision = Decide("19C", victim: Victim(support: SupportAnswer.Declined));
        Assert.Contains(decision.Reasons, r => r.Contains("sexual offence: consent pathway", StringComparison.Ordinal));
        Assert.Contains(decision.Reasons, r => r.Contains("single-session offer", StringComparison.Ordinal));
    }

    [Fact]
    public void One_victim_is_decided_as_in_the_whole_snapshot()
    {
        var snapshot = Snapshot("19C", victims: [Victim("V1"), Victim("V2", support: SupportAnswer.Declined)]);
        var second = Rulebook.Decide(snapshot, snapshot.Victims[1]);
        Assert.Equal("V2", second.VictimId);
        Assert.Equal(ReferralOutcome.Declined, second.Referral);
        Assert.Equal(Rulebook.Decide(snapshot)[1].Reasons, second.Reasons);
    }
}
