using Referrals.Rules;

namespace Referrals.Tests.Rules;

/// <summary>The services directory is configuration: a bad entry stops start-up with a message naming it.</summary>
public class ServiceDirectoryTests
{
    private const string Valid = """
        { "id": "general", "name": "Victim Services", "eligibleWhen": ["EveryVictim"], "autoReferOnOptOut": true,
          "selfReferral": { "phone": "0808 157 0101" } }
        """;

    private static string Error(string services) =>
        Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse($$"""{ "services": [ {{services}} ] }""", "test.json")).Message;

    [Fact]
    public void The_default_directory_is_the_rulebooks() =>
        Assert.Equal(["general", "isva", "idva", "stalking", "road", "children"], ServiceDirectory.LoadDefault().Services.Select(s => s.Id));

    [Fact]
    public void A_valid_directory_loads() =>
        Assert.Single(ServiceDirectory.Parse($$"""{ "services": [ {{Valid}} ] }""", "test.json").Services);

    [Fact]
    public void An_unknown_eligibility_condition_names_the_entry() =>
        Assert.Contains("services[1] (isva): eligibleWhen must list", Error(Valid + ", " + Valid.Replace("general", "isva", StringComparison.Ordinal).Replace("EveryVictim", "Sexual", StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void A_duplicate_id_is_refused() =>
        Assert.Contains("id 'general' is used by more than one service", Error(Valid + ", " + Valid), StringComparison.Ordinal);

    [Fact]
    public void A_service_victims_cannot_contact_is_refused() =>
        Assert.Contains("selfReferral needs a phone, an email or a website", Error(Valid.Replace("\"phone\": \"0808 157 0101\"", "", StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void A_website_that_is_not_https_is_refused() =>
        Assert.Contains("selfReferral.website must be an absolute https:// address",
            Error(Valid.Replace("\"phone\": \"0808 157 0101\"", "\"website\": \"http://insecure.example\"", StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void A_misspelt_property_is_refused_rather_than_ignored() =>
        Assert.Contains("eligibeWhen", Error(Valid.Replace("autoReferOnOptOut", "eligibeWhen", StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void An_empty_directory_is_refused() =>
        Assert.Contains("at least one service", Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse("""{ "services": [] }""", "x")).Message, StringComparison.Ordinal);

    [Fact]
    public void The_offence_code_list_refuses_a_duplicate_code() =>
        Assert.Throws<InvalidDataException>(() => OffenceCodeList.Parse(new StringReader("code,label,group\n8N,a,b\n8n,c,d"), "codes.csv"));
}
