using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook section 1: every row of the classification table, and code normalisation.</summary>
public class OffenceClassificationTests
{
    [Theory]
    [InlineData("17A")]
    [InlineData("17B")]
    [InlineData("19C")]
    [InlineData("19D")]
    [InlineData("19E")]
    [InlineData("19F")]
    [InlineData("19G")]
    [InlineData("19H")]
    [InlineData("20A")]
    [InlineData("20B")]
    [InlineData("21")]
    [InlineData("22A")]
    [InlineData("22B")]
    [InlineData("23")]
    [InlineData("70")]
    [InlineData("71")]
    [InlineData("72")]
    [InlineData("73")]
    [InlineData("88A")]
    [InlineData("88C")]
    [InlineData("88D")]
    [InlineData("88E")]
    public void Sexual_offence_codes_are_classified_SexualOffence(string code) =>
        Assert.Equal([Category.SexualOffence], Decide(code).Categories);

    [Fact]
    public void A_code_a_force_adds_to_the_sexual_offences_group_is_a_sexual_offence()
    {
        var codes = new OffenceCodeList([new OffenceCodeEntry("88Z", "New sexual offence", "Sexual offences")]);
        var classification = new OffenceClassifier(codes).Classify(Snapshot("88z").Crime);
        Assert.Contains(Category.SexualOffence, classification.Categories);
    }

    [Fact]
    public void A_code_the_rulebook_lists_is_a_sexual_offence_whatever_group_a_force_files_it_under()
    {
        var codes = new OffenceCodeList([new OffenceCodeEntry("19C", "Rape of a female aged 16 and over", "Rape")]);
        Assert.Equal([Category.SexualOffence], new OffenceClassifier(codes).Classify(Snapshot("19C").Crime).Categories);
    }

    [Theory]
    [InlineData("28E")]
    [InlineData("8N")]
    [InlineData("19C")]
    [InlineData("ZZ9")]
    public void The_DomesticAbuse_flag_classifies_DomesticAbuse_whatever_the_code(string code) =>
        Assert.Contains(Category.DomesticAbuse, Decide(code, ["DomesticAbuse"]).Categories);

    [Fact]
    public void The_DomesticAbuse_flag_is_read_whatever_its_letter_case() =>
        Assert.Contains(Category.DomesticAbuse, Decide("8N", ["domesticabuse"]).Categories);

    [Fact]
    public void Stalking_code_8Q_is_classified_Stalking() =>
        Assert.Equal([Category.Stalking], Decide("8Q").Categories);

    [Theory]
    [InlineData("8L")]
    [InlineData("8M")]
    [InlineData("8R")]
    public void Harassment_codes_are_classified_Harassment(string code) =>
        Assert.Equal([Category.Harassment], Decide(code).Categories);

    [Theory]
    [InlineData("4.4")]
    [InlineData("4.6")]
    [InlineData("4.8")]
    [InlineData("4.9")]
    [InlineData("37.1")]
    public void Road_death_codes_are_classified_RoadDeath(string code) =>
        Assert.Equal([Category.RoadDeath], Decide(code).Categories);

    [Theory]
    [InlineData("ZZ9")]
    [InlineData("999")]
    [InlineData("8 N")]
    [InlineData("4..4")]
    [InlineData("<script>")]
    public void A_code_not_in_the_list_is_Unclassified(string code) =>
        Assert.Equal([Category.Unclassified], Decide(code).Categories);

    [Theory]
    [InlineData("Smith", "SMITH")]
    [InlineData("07700900123", "07700900123")]
    [InlineData("1990-04-12", "1990-04-12")]
    public void A_value_typed_into_the_offence_code_is_not_repeated_in_the_reasons(string code, string normalised)
    {
        var reasons = Decide(code).Reasons;

        Assert.Contains(reasons, reason => reason.Contains("Unclassified", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, reason => reason.Contains(normalised, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void An_unknown_code_shaped_like_a_code_is_named_in_the_reason() =>
        Assert.Contains("offence code 99Z is not in the offence code list: Unclassified", Decide("99z").Reasons);

    [Theory]
    [InlineData("28E")]
    [InlineData("8N")]
    [InlineData("4.1")]
    [InlineData("37.2")]
    public void An_ordinary_classified_offence_has_no_category(string code) =>
        Assert.Empty(Decide(code).Categories);

    [Theory]
    [InlineData("4/4", "4.4")]
    [InlineData(" 8q ", "8Q")]
    [InlineData("19c", "19C")]
    [InlineData("\t37/1 ", "37.1")]
    [InlineData("4.10", "4.10")]
    public void Codes_are_normalised_by_trimming_upper_casing_and_reading_slash_as_dot(string raw, string normalised) =>
        Assert.Equal(normalised, OffenceCode.Normalise(raw));

    [Fact]
    public void Code_4_slash_4_is_classified_as_4_4() =>
        Assert.Equal([Category.RoadDeath], Decide("4/4").Categories);

    [Fact]
    public void Code_4_10_is_not_confused_with_4_1() =>
        Assert.Equal("4.10", new OffenceClassifier(Codes).Classify(Snapshot("4.10").Crime).Entry!.Code);

    [Fact]
    public void The_shipped_offence_list_has_every_code_the_rulebook_names()
    {
        var named = OffenceClassifier.SexualOffenceCodes
            .Concat(OffenceClassifier.StalkingCodes)
            .Concat(OffenceClassifier.HarassmentCodes)
            .Concat(OffenceClassifier.RoadDeathCodes)
            .Concat(ReferralRules.MostSeriousCrimeCodes);
        Assert.All(named, code => Assert.NotNull(Codes.Find(code)));
    }
}
