using Referrals.Contract;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook section 4: every row of the default directory's eligibility table.</summary>
public class ServiceEligibilityTests
{
    [Fact]
    public void Every_victim_is_eligible_for_the_general_service_and_only_it_is_automatic()
    {
        Assert.Equal(["general"], Decide("28E").EligibleServices);
        Assert.Equal(["general"], Services.Services.Where(s => s.AutoReferOnOptOut).Select(s => s.Id));
    }

    [Fact]
    public void Sexual_offence_victims_are_eligible_for_the_isva() =>
        Assert.Equal(["general", "isva"], Decide("19C").EligibleServices);

    [Fact]
    public void Domestic_abuse_victims_are_eligible_for_the_idva() =>
        Assert.Equal(["general", "idva"], Decide("8N", ["DomesticAbuse"]).EligibleServices);

    [Fact]
    public void Stalking_victims_are_eligible_for_the_stalking_advocates() =>
        Assert.Equal(["general", "stalking"], Decide("8Q").EligibleServices);

    [Fact]
    public void Road_death_victims_are_eligible_for_the_road_victim_advocate() =>
        Assert.Equal(["general", "road"], Decide("4.8").EligibleServices);

    [Fact]
    public void Child_victims_are_eligible_for_the_children_service() =>
        Assert.Equal(["general", "children"], Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate)).EligibleServices);

    [Fact]
    public void A_child_victim_of_domestic_sexual_abuse_is_eligible_for_every_matching_service() =>
        Assert.Equal(["general", "isva", "idva", "children"],
            Decide("20B", ["DomesticAbuse"], Victim(dateOfBirth: ChildBirthDate, support: SupportAnswer.Accepted)).Services);

    [Fact]
    public void Harassment_victims_are_eligible_for_the_general_service_only() =>
        Assert.Equal(["general"], Decide("8L").EligibleServices);
}
