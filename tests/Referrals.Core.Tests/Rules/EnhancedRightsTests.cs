using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook section 5: each criterion for enhanced rights, and its absence.</summary>
public class EnhancedRightsTests
{
    [Theory]
    [InlineData("19C")]
    [InlineData("4.4")]
    [InlineData("1")]
    [InlineData("4.1")]
    [InlineData("4.2")]
    [InlineData("4.10")]
    [InlineData("2")]
    [InlineData("3A")]
    [InlineData("36")]
    [InlineData("56A")]
    [InlineData("5D")]
    [InlineData("106")]
    [InlineData("72")]
    public void Victims_of_the_most_serious_crimes_have_enhanced_rights(string code) =>
        Assert.True(Decide(code).EnhancedRights);

    [Theory]
    [InlineData("DomesticAbuse")]
    [InlineData("Hate")]
    [InlineData("Terrorism")]
    [InlineData("RepeatVictim")]
    public void Flagged_crimes_give_enhanced_rights(string flag) =>
        Assert.True(Decide("28E", [flag]).EnhancedRights);

    [Theory]
    [InlineData("8Q")]
    [InlineData("8L")]
    [InlineData("8M")]
    [InlineData("8R")]
    public void Persistently_targeted_victims_have_enhanced_rights(string code) =>
        Assert.True(Decide(code).EnhancedRights);

    [Fact]
    public void Child_victims_have_enhanced_rights() =>
        Assert.True(Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: new("P", "p@example.org", true, false))).EnhancedRights);

    [Fact]
    public void Vulnerable_victims_have_enhanced_rights() =>
        Assert.True(Decide("28E", victim: Victim(vulnerable: true)).EnhancedRights);

    [Fact]
    public void Intimidated_victims_have_enhanced_rights() =>
        Assert.True(Decide("28E", victim: Victim(intimidated: true)).EnhancedRights);

    [Fact]
    public void Bereaved_close_relatives_have_enhanced_rights() =>
        Assert.True(Decide("28E", victim: Victim(bereavedRelative: true)).EnhancedRights);

    [Theory]
    [InlineData("28E")]
    [InlineData("8N")]
    [InlineData("4.3")]
    [InlineData("ZZ9")]
    public void Other_adult_victims_have_standard_rights(string code) =>
        Assert.False(Decide(code, ["SomeUnknownFlag"]).EnhancedRights);
}
