using Referrals.Contract;

namespace Referrals.Tests.NotifyRules;

/// <summary>
/// Issue 18, item 5: a letter's address is usable exactly when GOV.UK Notify would print it (postal-addresses.jsonc:
/// Notify's cases from alphagov/notifications-utils tests/recipient_validation/test_postal_address.py at
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, checked with notifications-api's validate_address, and hostile ones).
/// </summary>
public class PostalAddressCasesTests
{
    public sealed record AddressCase(string[] Block, string? Notify, string? Ours, string From);

    private const string File = "postal-addresses.jsonc";

    private static readonly IReadOnlyList<AddressCase> Cases = NotifyCases.Load<AddressCase>(File);

    public static TheoryData<int> Rows() => NotifyCases.Rows<AddressCase>(File);

    /// <summary>validators.py lines 304-323: Notify's message for each rule.</summary>
    private static readonly Dictionary<AddressRule, string> NotifyMessage = new()
    {
        [AddressRule.TooFewLines] = "Address must be at least 3 lines",
        [AddressRule.TooManyLines] = "Address must be no more than 7 lines",
        [AddressRule.NoLetterOrDigit] = "The first 2 lines of the address must both include at least one alphanumeric character",
        [AddressRule.CountryWithBfpo] = "The last line of a BFPO address must not be a country.",
        [AddressRule.NoPostcode] = "Must be a real UK postcode",
        [AddressRule.ForbiddenFirstCharacter] = "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >",
        [AddressRule.NoFixedAbode] = "Must be a real address",
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void An_address_block_is_refused_by_the_rule_Notify_refuses_it_with_or_accepted(int row)
    {
        var c = Cases[row];
        var rule = LetterAddress.Check(c.Block);
        Assert.Equal(c.Ours, rule?.ToString());
        Assert.Equal(c.Notify, rule is { } r ? NotifyMessage[r] : null);
    }

    [Fact]
    public void The_table_holds_Notifys_cases_and_hostile_ones_and_every_rule()
    {
        Assert.True(Cases.Count >= 70);
        Assert.Contains(Cases, c => c.From.StartsWith("ours", StringComparison.Ordinal));
        Assert.Contains(Cases, c => c.From.StartsWith("test_", StringComparison.Ordinal));
        foreach (var rule in Enum.GetValues<AddressRule>())
        {
            Assert.Contains(Cases, c => c.Ours == rule.ToString());
        }
    }

    [Theory]
    [InlineData("DE4 3AG", "DE4 3AG")]
    [InlineData("de43ag", "DE4 3AG")]
    [InlineData(" n5 \u00a0 \t 3Ef ", "N5 3EF")]
    [InlineData("BFPO 105", "BFPO 105")]
    [InlineData("bfpo105", "BFPO 105")]
    [InlineData("BFPO c/o 0105", "BFPO 105")]
    public void The_contract_postcode_may_be_a_real_UK_postcode_or_a_BFPO_number_normalised_as_Notify_prints_it(string given, string printed)
    {
        var address = PostalAddress.Create(["1 Regiment"], given);
        Assert.True(address.IsValid, address.Problem);
        Assert.Equal(printed, address.Postcode);
        Assert.Equal(printed.StartsWith("BFPO", StringComparison.Ordinal), address.IsBfpo);
        Assert.Equal(["Cpl A Smith", "1 Regiment", printed], address.LetterLines("Cpl A Smith"));
    }

    [Theory]
    [InlineData(new[] { "12 Example Street" }, "ZZ1 1AA", "its postcode is not a real UK postcode or a BFPO number")]
    [InlineData(new[] { "12 Example Street" }, "BFPO", "its postcode is not a real UK postcode or a BFPO number")]
    [InlineData(new[] { "NFA" }, "DE4 3AG", "GOV.UK Notify would not print it: it says no fixed abode")]
    [InlineData(new[] { "(Flat 1)", "Matlock" }, "DE4 3AG", "GOV.UK Notify would not print it: a line starts with a character Notify refuses")]
    [InlineData(new[] { "Ŵŷ" }, "DE4 3AG", "GOV.UK Notify would not print it: its first line has no letter or digit from A to Z or 0 to 9")]
    [InlineData(new[] { "United Kingdom" }, "BFPO 105", "GOV.UK Notify would not print it: with the addressee's name it would have fewer than 3 lines")]
    [InlineData(new[] { "1 Regiment", "Cyprus" }, "BFPO 105", "GOV.UK Notify would not print it: a BFPO address must not end with a country")]
    public void An_address_Notify_would_refuse_is_treated_as_absent_naming_the_rule_and_never_the_address(string[] lines, string postcode, string problem)
    {
        var address = PostalAddress.Create(lines, postcode);
        Assert.False(address.IsValid);
        Assert.StartsWith(problem, address.Problem, StringComparison.Ordinal);
        Assert.Empty(address.Lines);
        foreach (var line in lines.Append(postcode).Where(l => l.Length > 4))
        {
            Assert.DoesNotContain(line, address.Problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Ms Morgan", "Ms Morgan")]
    [InlineData("王伟", PostalAddress.Occupier)]
    [InlineData("(Alex) Morgan", PostalAddress.Occupier)]
    [InlineData("NFA", PostalAddress.Occupier)]
    [InlineData("BFPO 12", PostalAddress.Occupier)]
    [InlineData("Jersey", PostalAddress.Occupier)]
    [InlineData("", PostalAddress.Occupier)]
    [InlineData(null, PostalAddress.Occupier)]
    [InlineData("Siân O’Brien-Jones", "Siân O’Brien-Jones")]
    public void A_name_Notify_would_refuse_as_a_first_line_is_left_for_the_occupier(string? name, string first) =>
        Assert.Equal(first, LetterAddress.Addressee(name, PostalAddress.Occupier));

    [Fact]
    public void Every_rule_reads_as_a_rule() =>
        Assert.All(Enum.GetValues<AddressRule>(), rule => Assert.False(string.IsNullOrWhiteSpace(LetterAddress.Describe(rule))));
}
