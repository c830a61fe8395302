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

    private static string WithReferral(string referral) =>
        Valid[..Valid.IndexOf("\"referral\"", StringComparison.Ordinal)] + $"\"referral\": {referral} }}";

    private static string ReferralError(string referral) => Error(WithReferral(referral));

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

    private static string Replaced(string from, string to) => Valid.Replace(from, to, StringComparison.Ordinal);

    private static string UnitError(string unit) =>
        Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse($$"""{ "victimCareUnit": {{unit}}, "services": [ {{Valid}} ] }""", "test.json")).Message;

    private static ServiceDirectory Load(string services) =>
        ServiceDirectory.Parse($$"""{ {{Unit}}, "services": [ {{services}} ] }""", "test.json");

    [Fact]
    public void An_error_names_the_file_the_entry_and_the_fix() =>
        Assert.Equal("test.json: services[0] (general): referral.channel 'Fax' is unknown: use Http or Email.", ReferralError("""{ "channel": "Fax" }"""));

    [Theory]
    [InlineData("General")]
    [InlineData("")]
    [InlineData("victim services")]
    [InlineData("abcdefghijklmnopqrstuvwxyz1234567")]
    public void A_service_id_must_be_1_to_32_lower_case_letters_digits_or_dashes(string id) =>
        Assert.Equal($"test.json: services[0] ({id}): id must be 1 to 32 lower-case letters, digits or '-'.", Error(Replaced("\"general\"", $"\"{id}\"")));

    [Fact]
    public void A_null_service_id_is_refused() =>
        Assert.Equal("test.json: services[0] (): id must be 1 to 32 lower-case letters, digits or '-'.", Error(Replaced("\"general\"", "null")));

    [Theory]
    [InlineData("a")]
    [InlineData("road-2")]
    [InlineData("abcdefghijklmnopqrstuvwxyz123456")]
    public void A_service_id_of_lower_case_letters_digits_and_dashes_is_accepted(string id) =>
        Assert.Equal(id, Load(Replaced("\"general\"", $"\"{id}\"")).Services[0].Id);

    [Fact]
    public void A_duplicate_id_names_the_second_entry() =>
        Assert.Equal("test.json: services[1] (general): id 'general' is used by more than one service.", Error(Valid + ", " + Valid));

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\" \"")]
    [InlineData("null")]
    public void A_service_without_a_name_is_refused(string name) =>
        Assert.Equal("test.json: services[0] (general): name is required.", Error(Replaced("\"Victim Services\"", name)));

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("[\"Unclassified\"]")]
    [InlineData("[\"EveryVictim\", \"Burglary\"]")]
    public void EligibleWhen_must_list_known_conditions_and_says_which(string eligibleWhen) =>
        Assert.Equal("test.json: services[0] (general): eligibleWhen must list one or more of SexualOffence, DomesticAbuse, Stalking, Harassment, RoadDeath, Child, EveryVictim.",
            Error(Replaced("[\"EveryVictim\"]", eligibleWhen)));

    [Fact]
    public void The_id_vcu_is_kept_for_the_victim_care_unit() =>
        Assert.Equal("test.json: services[0] (vcu): id 'vcu' is kept for the Victim Care Unit.", Error(Replaced("\"general\"", "\"vcu\"")));

    [Fact]
    public void The_victim_care_units_channel_is_validated_naming_it() =>
        Assert.Equal("test.json: victimCareUnit: referral.address must be the service's referral mailbox for the Email channel.",
            UnitError("""{ "name": "VCU", "referral": { "channel": "Email", "address": "vcu at police" } }"""));

    [Theory]
    [InlineData("""{ "name": " ", "referral": { "channel": "Email", "address": "vcu@police.example" } }""")]
    [InlineData("""{ "name": "VCU", "referral": null }""")]
    [InlineData("null")]
    public void A_victim_care_unit_needs_a_name_and_a_channel(string unit) =>
        Assert.Equal("test.json: the services directory needs a \"victimCareUnit\" with a name and a referral channel: single-session offers and consent tasks go there.", UnitError(unit));

    [Fact]
    public void A_directory_built_in_code_is_validated_too()
    {
        var service = Load(Valid).Services[0];
        var fax = new VictimCareUnit { Name = "VCU", Referral = new ReferralChannel { Channel = "Fax" } };
        Assert.Equal("victimCareUnit: referral.channel 'Fax' is unknown: use Http or Email.", Assert.Throws<InvalidDataException>(() => new ServiceDirectory([service], fax)).Message);
        var unit = new VictimCareUnit { Name = "VCU", Referral = new ReferralChannel { Channel = ReferralChannel.Email, Address = "vcu@police.example" } };
        Assert.Equal("services[1] (general): id 'general' is used by more than one service.", Assert.Throws<InvalidDataException>(() => new ServiceDirectory([service, service], unit)).Message);
    }

    [Fact]
    public void A_referral_channel_of_null_is_required() =>
        Assert.Equal("test.json: services[0] (general): referral is required: { \"channel\": \"Http\", \"endpoint\": … } or { \"channel\": \"Email\", \"address\": … }.",
            ReferralError("null"));

    [Fact]
    public void An_Http_channel_with_a_blank_endpoint_is_refused() =>
        Assert.Equal("test.json: services[0] (general): referral.endpoint is required for the Http channel.",
            ReferralError("""{ "channel": "Http", "endpoint": " ", "auth": { "entraScope": "api://x/.default" } }"""));

    [Fact]
    public void An_invalid_endpoint_message_says_what_is_allowed() =>
        Assert.Equal("test.json: services[0] (general): referral.endpoint 'http://referrals.example/api' must be an absolute https:// URL (http:// only on loopback, for local runs).",
            ReferralError("""{ "channel": "Http", "endpoint": "http://referrals.example/api", "auth": { "entraScope": "api://x/.default" } }"""));

    [Theory]
    [InlineData("https://api.example/referrals")]
    [InlineData("http://127.0.0.1:7071/api/referrals")]
    [InlineData("http://localhost:8080/referrals")]
    public void An_https_endpoint_or_a_loopback_http_one_is_accepted(string endpoint)
    {
        var channel = Load(Replaced("https://api.example/referrals", endpoint)).ChannelOf("general")!;
        Assert.True(channel.IsHttp);
        Assert.Equal(new Uri(endpoint), channel.EndpointUri);
    }

    [Theory]
    [InlineData("""{ "apiKeyHeader": "X-Api-Key", "apiKeySetting": "ServiceKeys__general", "entraScope": "api://x/.default" }""")]
    [InlineData("""{ "apiKeySetting": "ServiceKeys__general" }""")]
    [InlineData("""{ "apiKeyHeader": "", "apiKeySetting": "ServiceKeys__general" }""")]
    [InlineData("""{ "apiKeyHeader": "X-Api-Key", "apiKeySetting": "" }""")]
    [InlineData("""{ "entraScope": "" }""")]
    [InlineData("{ }")]
    [InlineData("null")]
    public void An_Http_channel_without_exactly_one_complete_way_to_authenticate_is_refused(string auth) =>
        Assert.Equal("test.json: services[0] (general): referral.auth must have either apiKeyHeader with apiKeySetting (the app setting holding the key), or entraScope.",
            ReferralError($$"""{ "channel": "Http", "endpoint": "https://api.example/r", "auth": {{auth}} }"""));

    [Fact]
    public void An_Http_channel_authenticating_with_Entra_ID_alone_is_accepted() =>
        Assert.Equal("api://victim-services/.default", Load(Replaced("""{ "apiKeyHeader": "X-Api-Key", "apiKeySetting": "ServiceKeys__general" }""", """{ "entraScope": "api://victim-services/.default" }""")).ChannelOf("general")!.Auth!.EntraScope);

    [Fact]
    public void An_Email_channel_with_a_valid_mailbox_is_accepted()
    {
        var channel = Load(WithReferral("""{ "channel": "Email", "address": "referrals@service.cjsm.example" }""")).ChannelOf("general")!;
        Assert.False(channel.IsHttp);
        Assert.Equal("referrals@service.cjsm.example", channel.Address);
    }

    [Fact]
    public void An_Email_channel_without_an_address_is_refused() =>
        Assert.Equal("test.json: services[0] (general): referral.address must be the service's referral mailbox for the Email channel.", ReferralError("""{ "channel": "Email" }"""));

    [Theory]
    [InlineData("\"email\": \"help@service.example\"")]
    [InlineData("\"website\": \"https://service.example/help\"")]
    public void A_service_victims_can_email_or_visit_is_accepted(string selfReferral) =>
        Assert.NotNull(Load(Replaced("\"phone\": \"0808 157 0101\"", selfReferral)).Services[0].SelfReferral);

    [Fact]
    public void A_service_with_no_self_referral_is_refused() =>
        Assert.Equal("test.json: services[0] (general): selfReferral needs a phone, an email or a website, so victims can contact the service.",
            Error(Replaced("{ \"phone\": \"0808 157 0101\" }", "null")));

    [Fact]
    public void A_self_referral_email_that_is_not_an_address_is_refused_naming_it() =>
        Assert.Equal("test.json: services[0] (general): selfReferral.email 'help at service' is not a valid email address.",
            Error(Replaced("\"phone\": \"0808 157 0101\"", "\"phone\": \"0808 157 0101\", \"email\": \"help at service\"")));

    [Theory]
    [InlineData("http://insecure.example")]
    [InlineData("get-help")]
    public void A_self_referral_website_must_be_an_absolute_https_address(string website) =>
        Assert.Equal("test.json: services[0] (general): selfReferral.website must be an absolute https:// address.",
            Error(Replaced("\"phone\": \"0808 157 0101\"", $"\"phone\": \"0808 157 0101\", \"website\": \"{website}\"")));

    [Fact]
    public void Json_that_does_not_parse_is_refused_naming_the_file() =>
        Assert.StartsWith("test.json: the services directory is not valid: ",
            Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse("{ \"services\": [ ", "test.json")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("null")]
    [InlineData("{ }")]
    public void A_file_without_services_is_refused(string json) =>
        Assert.Equal("test.json: the services directory must list at least one service under \"services\".",
            Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse(json, "test.json")).Message);

    [Fact]
    public void Property_names_are_matched_exactly() =>
        Assert.Contains("Name", Error(Replaced("\"name\"", "\"Name\"")), StringComparison.Ordinal);

    [Fact]
    public void Comments_and_trailing_commas_are_allowed() =>
        Assert.Single(ServiceDirectory.Parse($$"""
            { // the force's services
              {{Unit}}, "services": [ {{Valid}}, ], }
            """, "test.json").Services);

    [Fact]
    public void A_missing_file_is_refused_naming_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-services-{Guid.NewGuid():N}.json");
        Assert.Equal($"The services directory was not found at '{path}'.", Assert.Throws<FileNotFoundException>(() => ServiceDirectory.Load(path)).Message);
    }

    [Fact]
    public void Services_and_the_victim_care_unit_are_found_by_id()
    {
        var directory = ServiceDirectory.LoadDefault();
        Assert.Equal("Independent Sexual Violence Advisers (ISVA)", directory["isva"].Name);
        Assert.Equal("Victim Services", directory.NameOf("general"));
        Assert.Equal("Victim Care Unit", directory.NameOf(VictimCareUnit.Id));
        Assert.Equal("retired", directory.NameOf("retired"));
        Assert.Equal("victim.care.tasks@police.cjsm.example", directory.ChannelOf(VictimCareUnit.Id)!.Address);
        Assert.Equal("https://api.victim-services.example/v1/referrals", directory.ChannelOf("general")!.Endpoint);
        Assert.Null(directory.ChannelOf("retired"));
        Assert.Throws<InvalidOperationException>(() => directory["retired"]);
    }

    [Fact]
    public void The_offence_code_list_refuses_a_duplicate_code() =>
        Assert.Throws<InvalidDataException>(() => OffenceCodeList.Parse(new StringReader("code,label,group\n8N,a,b\n8n,c,d"), "codes.csv"));
}
