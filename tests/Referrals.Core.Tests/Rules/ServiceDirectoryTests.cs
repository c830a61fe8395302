using Referrals.Rules;

namespace Referrals.Tests.Rules;

/// <summary>The services directory is configuration: a bad entry stops start-up with a message naming it.</summary>
public class ServiceDirectoryTests
{
    private const string Valid = """
        { "id": "general", "name": "Victim Services", "eligibleWhen": ["EveryVictim"], "autoReferOnOptOut": true,
          "selfReferral": { "phone": "0808 157 0101" },
          "referral": { "channel": "Http", "endpoint": "https://api.example/referrals", "auth": { "apiKeyHeader": "X-Api-Key", "apiKeySetting": "ServiceKeys__general" } } }
        """;

    private const string Unit = """
        "victimCareUnit": { "name": "VCU", "referral": { "channel": "Email", "address": "vcu@police.example" } }
        """;

    private static string Error(string services) =>
        Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse($$"""{ {{Unit}}, "services": [ {{services}} ] }""", "test.json")).Message;

    private static string ReferralError(string referral) =>
        Error(Valid[..Valid.IndexOf("\"referral\"", StringComparison.Ordinal)] + $"\"referral\": {referral} }}");

    [Fact]
    public void The_default_directory_is_the_rulebooks() =>
        Assert.Equal(["general", "isva", "idva", "stalking", "road", "children"], ServiceDirectory.LoadDefault().Services.Select(s => s.Id));

    [Fact]
    public void A_valid_directory_loads() =>
        Assert.Single(ServiceDirectory.Parse($$"""{ {{Unit}}, "services": [ {{Valid}} ] }""", "test.json").Services);

    [Fact]
    public void A_directory_without_a_victim_care_unit_is_refused() =>
        Assert.Contains("needs a \"victimCareUnit\"", Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse($$"""{ "services": [ {{Valid}} ] }""", "x")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_service_without_a_referral_channel_names_the_entry() =>
        Assert.Contains("services[0] (general): referral is required", Error(Valid[..Valid.IndexOf(",\n  \"referral\"", StringComparison.Ordinal)] + " }"), StringComparison.Ordinal);

    [Fact]
    public void An_Http_channel_without_an_endpoint_names_the_entry() =>
        Assert.Contains("services[0] (general): referral.endpoint is required", ReferralError("""{ "channel": "Http", "auth": { "entraScope": "api://x/.default" } }"""), StringComparison.Ordinal);

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://referrals.example/api")]
    [InlineData("ftp://referrals.example/api")]
    public void An_Http_channel_with_an_invalid_or_insecure_endpoint_names_the_entry(string endpoint) =>
        Assert.Contains($"services[0] (general): referral.endpoint '{endpoint}' must be an absolute https:// URL", ReferralError($$"""{ "channel": "Http", "endpoint": "{{endpoint}}", "auth": { "entraScope": "api://x/.default" } }"""), StringComparison.Ordinal);

    [Fact]
    public void An_unknown_channel_names_the_entry() =>
        Assert.Contains("services[0] (general): referral.channel 'Fax' is unknown", ReferralError("""{ "channel": "Fax" }"""), StringComparison.Ordinal);

    [Fact]
    public void An_Http_channel_needs_exactly_one_way_to_authenticate() =>
        Assert.Contains("referral.auth must have either apiKeyHeader with apiKeySetting", ReferralError("""{ "channel": "Http", "endpoint": "https://api.example/r", "auth": { "apiKeyHeader": "X-Api-Key" } }"""), StringComparison.Ordinal);

    [Fact]
    public void An_Email_channel_needs_a_valid_mailbox() =>
        Assert.Contains("services[0] (general): referral.address must be", ReferralError("""{ "channel": "Email", "address": "not-an-address" }"""), StringComparison.Ordinal);

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
        Assert.Contains("at least one service", Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse($$"""{ {{Unit}}, "services": [] }""", "x")).Message, StringComparison.Ordinal);

    [Fact]
    public void The_offence_code_list_refuses_a_duplicate_code() =>
        Assert.Throws<InvalidDataException>(() => OffenceCodeList.Parse(new StringReader("code,label,group\n8N,a,b\n8n,c,d"), "codes.csv"));
}
