using System.Text;
using System.Text.Json.Nodes;
using Referrals.Contract;

namespace Referrals.Tests.Contract;

/// <summary>The crime-event v1 contract: what is accepted, and the reason given for what is not.</summary>
public class CrimeEventParserTests
{
    private static string Reason(string json)
    {
        var result = CrimeEventParser.Parse(json);
        Assert.False(result.IsValid, "the message should have been rejected");
        return result.Reason!;
    }

    [Fact]
    public void The_contract_example_is_read_into_typed_records()
    {
        var result = CrimeEventParser.Parse(SnapshotJson.Valid);

        Assert.True(result.IsValid, result.Reason);
        var snapshot = result.Snapshot!;
        Assert.Equal("0f8d6a4e-2b1c-4f7e-9a51-3c2d1e0b9f77", snapshot.EventId);
        Assert.Equal(new DateTimeOffset(2026, 10, 5, 9, 14, 0, TimeSpan.Zero), snapshot.SentAt);
        Assert.Equal("DB/26/104233", snapshot.Crime.Reference);
        Assert.Equal(1, snapshot.Crime.Version);
        Assert.Equal(new DateTimeOffset(2026, 10, 5, 8, 50, 0, TimeSpan.FromHours(1)), snapshot.Crime.RecordedAt);
        Assert.Equal(new Offence("8N", "Assault with injury"), snapshot.Crime.Offence);
        Assert.Equal(["DomesticAbuse"], snapshot.Crime.Flags);
        Assert.Equal(new OfficerInCase("PC 4821 Khan", "oic.4821@police.example", "101"), snapshot.Crime.OfficerInCase);
        var victim = Assert.Single(snapshot.Victims);
        Assert.Equal(
            new Victim("V1", "Ms", "Alex", "Morgan", new DateOnly(1991, 3, 14), "alex.morgan@example.org", true, "07700 900123", true, "en",
                false, false, false, SupportAnswer.NotAsked, null),
            victim);
    }

    [Fact]
    public void Optional_fields_may_be_absent()
    {
        var json = """
            {"schemaVersion":1,"eventId":"e","sentAt":"2026-10-05T09:14:00Z",
             "crime":{"reference":"R","version":1,"recordedAt":"2026-10-05T08:50:00Z","offence":{"homeOfficeCode":"8N"}},
             "victims":[{"id":"V1","familyName":"Morgan","support":"Declined"}]}
            """;
        var snapshot = CrimeEventParser.Parse(json).Snapshot!;
        Assert.Empty(snapshot.Crime.Flags);
        Assert.Null(snapshot.Crime.OfficerInCase);
        Assert.Null(snapshot.Victims[0].EmailSafe);
        Assert.False(snapshot.Victims[0].Vulnerable);
    }

    [Fact]
    public void Unknown_properties_and_flags_are_kept_and_ignored()
    {
        var result = CrimeEventParser.Parse(SnapshotJson.With(root =>
        {
            root["futureField"] = 42;
            root.Crime()["flags"] = new JsonArray("DomesticAbuse", "SomethingNew");
        }));
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(["DomesticAbuse", "SomethingNew"], result.Snapshot!.Crime.Flags);
    }

    [Fact]
    public void A_byte_order_mark_is_accepted() =>
        Assert.True(CrimeEventParser.Parse((byte[])[.. "\uFEFF"u8, .. Encoding.UTF8.GetBytes(SnapshotJson.Valid)]).IsValid);

    [Fact]
    public void An_invalid_crime_version_is_refused_naming_the_field() =>
        Assert.Equal("crime.version must be a whole number from 1 to 9223372036854775807", Reason(SnapshotJson.With(r => r.Crime()["version"] = 0)));

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"2\"")]
    [InlineData("-3")]
    [InlineData("1e40")]
    public void Crime_version_must_be_a_positive_integer(string value) =>
        Assert.StartsWith("crime.version must be a whole number", Reason(SnapshotJson.With(r => r.Crime()["version"] = JsonNode.Parse(value))), StringComparison.Ordinal);

    [Fact]
    public void Another_schema_version_is_refused() =>
        Assert.Equal("schemaVersion is not supported: this pipeline reads version 1", Reason(SnapshotJson.With(r => r["schemaVersion"] = 2)));

    [Fact]
    public void A_message_over_64_KiB_is_refused_with_its_size()
    {
        var json = SnapshotJson.With(r => r.Crime()["offence"]!["description"] = new string('x', 70_000));
        Assert.StartsWith("message is 70,", Reason(json), StringComparison.Ordinal);
        Assert.Contains("at most 65,536 bytes (64 KiB)", Reason(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_is_refused_with_where_it_broke()
    {
        var reason = Reason("""{"schemaVersion":1,"eventId":"bad-2", this is not json""");
        Assert.StartsWith("message is not valid JSON: ", reason, StringComparison.Ordinal);
        Assert.Contains("(line 1, byte 39)", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_without_victims_is_refused()
    {
        Assert.Equal("victims must list 1 to 50 victims, not 0", Reason(SnapshotJson.With(r => r["victims"] = new JsonArray())));
        Assert.Equal("victims is required: a snapshot lists 1 to 50 victims", Reason(SnapshotJson.With(r => r.Remove("victims"))));
    }

    [Fact]
    public void More_than_50_victims_is_refused()
    {
        var json = SnapshotJson.With(r =>
        {
            var victims = new JsonArray();
            for (var i = 0; i < 51; i++)
            {
                victims.Add(new JsonObject { ["id"] = $"V{i}", ["familyName"] = "X", ["support"] = "NotAsked" });
            }

            r["victims"] = victims;
        });
        Assert.Equal("victims must list 1 to 50 victims, not 51", Reason(json));
    }

    [Fact]
    public void Two_victims_with_one_id_are_refused()
    {
        var json = SnapshotJson.With(r => ((JsonArray)r["victims"]!).Add(r.Victim().DeepClone()));
        Assert.Equal("victims[1].id appears more than once: each victim needs its own id", Reason(json));
    }

    [Theory]
    [InlineData("eventId", "eventId is required")]
    [InlineData("sentAt", "sentAt is required")]
    [InlineData("crime", "crime is required")]
    [InlineData("schemaVersion", "schemaVersion is required (this pipeline reads version 1)")]
    public void Missing_top_level_fields_are_named(string field, string reason) =>
        Assert.Equal(reason, Reason(SnapshotJson.With(r => r.Remove(field))));

    [Theory]
    [InlineData("reference", "crime.reference is required")]
    [InlineData("version", "crime.version is required")]
    [InlineData("recordedAt", "crime.recordedAt is required")]
    [InlineData("offence", "crime.offence is required")]
    public void Missing_crime_fields_are_named(string field, string reason) =>
        Assert.Equal(reason, Reason(SnapshotJson.With(r => r.Crime().Remove(field))));

    [Fact]
    public void Missing_offence_code_is_named() =>
        Assert.Equal("crime.offence.homeOfficeCode is required", Reason(SnapshotJson.With(r => r.Crime()["offence"]!.AsObject().Remove("homeOfficeCode"))));

    [Fact]
    public void A_reference_longer_than_64_characters_is_refused() =>
        Assert.Equal("crime.reference is 65 characters; at most 64 are allowed", Reason(SnapshotJson.With(r => r.Crime()["reference"] = new string('R', 65))));

    [Theory]
    [InlineData("2026-10-05T09:14:00")]
    [InlineData("2026-10-05")]
    [InlineData("yesterday")]
    [InlineData("2026-13-05T09:14:00Z")]
    public void SentAt_must_be_an_instant_with_an_offset(string value) =>
        Assert.StartsWith("sentAt must be an ISO 8601 instant with an offset", Reason(SnapshotJson.With(r => r["sentAt"] = value)), StringComparison.Ordinal);

    [Fact]
    public void A_victim_needs_a_given_or_family_name() =>
        Assert.Equal("victims[0] needs a givenName or a familyName",
            Reason(SnapshotJson.With(r => { r.Victim().Remove("givenName"); r.Victim()["familyName"] = " "; })));

    [Theory]
    [InlineData("notasked")]
    [InlineData("Yes")]
    [InlineData("")]
    public void Support_must_be_one_of_the_three_answers(string value) =>
        Assert.StartsWith("victims[0].support must be NotAsked, Accepted or Declined", Reason(SnapshotJson.With(r => r.Victim()["support"] = value)), StringComparison.Ordinal);

    [Fact]
    public void Support_is_required() =>
        Assert.Equal("victims[0].support is required: NotAsked, Accepted or Declined", Reason(SnapshotJson.With(r => r.Victim().Remove("support"))));

    [Theory]
    [InlineData("14/03/1991")]
    [InlineData("1991-02-30")]
    [InlineData("1991-03-14T00:00:00Z")]
    public void Date_of_birth_must_be_an_ISO_date(string value) =>
        Assert.StartsWith("victims[0].dateOfBirth must be an ISO date (yyyy-MM-dd)", Reason(SnapshotJson.With(r => r.Victim()["dateOfBirth"] = value)), StringComparison.Ordinal);

    [Fact]
    public void A_date_of_birth_after_the_crime_is_refused() =>
        Assert.Equal("victims[0].dateOfBirth must be from 1900-01-01 to the Europe/London date of crime.recordedAt", Reason(SnapshotJson.With(r => r.Victim()["dateOfBirth"] = "2027-01-01")));

    [Fact]
    public void Flags_must_be_strings() =>
        Assert.Equal("crime.flags[1] must be a string, not a number", Reason(SnapshotJson.With(r => r.Crime()["flags"] = new JsonArray("Hate", 7))));

    [Fact]
    public void Safe_to_contact_flags_must_be_booleans() =>
        Assert.Equal("victims[0].emailSafe must be true, false or null, not a string", Reason(SnapshotJson.With(r => r.Victim()["emailSafe"] = "yes")));

    [Fact]
    public void A_line_break_in_a_name_is_refused() =>
        Assert.Equal("victims[0].givenName must not contain control characters (line breaks, tabs and the like)",
            Reason(SnapshotJson.With(r => r.Victim()["givenName"] = "Alex\r\nBcc: someone@example.org")));

    [Fact]
    public void A_line_break_in_an_email_is_refused_like_in_any_field() =>
        Assert.Equal("victims[0].email must not contain control characters (line breaks, tabs and the like)",
            Reason(SnapshotJson.With(r => r.Victim()["email"] = "alex@example.org\r\nBcc: x@example.org")));

    [Fact]
    public void A_display_name_email_is_accepted_but_leaves_no_usable_address()
    {
        var result = CrimeEventParser.Parse(SnapshotJson.With(r => r.Victim()["email"] = "Evil <evil@attacker.example>"));
        Assert.True(result.IsValid, result.Reason);
        Assert.False(Referrals.Rules.EmailAddress.IsValid(result.Snapshot!.Victims[0].Email));
    }

    [Fact]
    public void Duplicate_property_names_are_refused_as_ambiguous() =>
        Assert.StartsWith("message is not valid JSON", Reason(SnapshotJson.Valid.Replace("\"schemaVersion\": 1,", "\"schemaVersion\": 1, \"schemaVersion\": 1,", StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void Every_violation_is_reported_not_only_the_first()
    {
        var reason = Reason(SnapshotJson.With(r =>
        {
            r.Crime()["version"] = 0;
            r.Victim()["support"] = "Maybe";
        }));
        Assert.Contains("crime.version", reason, StringComparison.Ordinal);
        Assert.Contains("victims[0].support", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_message_keeps_its_eventId_for_the_operator() =>
        Assert.Equal("0f8d6a4e-2b1c-4f7e-9a51-3c2d1e0b9f77", CrimeEventParser.Parse(SnapshotJson.With(r => r["schemaVersion"] = 3)).EventId);

    [Fact]
    public void A_json_value_that_is_not_an_object_is_refused() =>
        Assert.Equal("message must be a JSON object, not an array", Reason("[1,2]"));

    [Fact]
    public void Revision_1_1_contact_fields_are_read_for_the_victim_and_the_parent()
    {
        var snapshot = CrimeEventParser.Parse(SnapshotJson.With(r =>
        {
            r.Victim()["address"] = new JsonObject { ["lines"] = new JsonArray(" 12 Example Street ", "Matlock"), ["postcode"] = "de43ag" };
            r.Victim()["addressSafe"] = true;
            r.Victim()["parentOrGuardian"] = new JsonObject
            {
                ["name"] = "Jo Taylor",
                ["email"] = "jo@example.org",
                ["emailSafe"] = true,
                ["isSuspect"] = false,
                ["phone"] = "07700 900456",
                ["phoneSafe"] = false,
                ["address"] = new JsonObject { ["lines"] = new JsonArray("1 Other Road"), ["postcode"] = "SW1A 1AA" },
                ["addressSafe"] = null,
            };
        })).Snapshot!;

        var victim = snapshot.Victims[0];
        Assert.Equal(["12 Example Street", "Matlock"], victim.Address!.Lines);
        Assert.Equal("DE4 3AG", victim.Address.Postcode);
        Assert.True(victim.AddressSafe);
        Assert.Equal(
            new ParentOrGuardian("Jo Taylor", "jo@example.org", true, false, "07700 900456", false, PostalAddress.Create(["1 Other Road"], "SW1A 1AA"), null),
            victim.ParentOrGuardian);
    }

    [Theory]
    [InlineData("""{"lines":["1","2","3","4","5","6"],"postcode":"DE4 3AG"}""", "its lines must be 1 to 5")]
    [InlineData("""{"lines":[],"postcode":"DE4 3AG"}""", "its lines must be 1 to 5")]
    [InlineData("""{"lines":["  "],"postcode":"DE4 3AG"}""", "its lines must be 1 to 5")]
    [InlineData("""{"lines":[7],"postcode":"DE4 3AG"}""", "its lines must be 1 to 5")]
    [InlineData("""{"lines":["12 Example Street"],"postcode":"DE4"}""", "its postcode is not a real UK postcode or a BFPO number")]
    [InlineData("""{"lines":["No fixed abode"],"postcode":"DE4 3AG"}""", "GOV.UK Notify would not print it: it says no fixed abode")]
    [InlineData("""{"lines":["12 Example Street"]}""", "it is not an object of lines and a postcode")]
    [InlineData("\"12 Example Street, Matlock\"", "it is not an object of lines and a postcode")]
    public void A_malformed_address_is_kept_as_invalid_with_a_reason_and_does_not_refuse_the_snapshot(string address, string problem)
    {
        var result = CrimeEventParser.Parse(SnapshotJson.With(r => r.Victim()["address"] = JsonNode.Parse(address)));

        Assert.True(result.IsValid, result.Reason);
        var parsed = result.Snapshot!.Victims[0].Address!;
        Assert.False(parsed.IsValid);
        Assert.StartsWith(problem, parsed.Problem, StringComparison.Ordinal);
        Assert.Empty(parsed.Lines);
        Assert.Empty(parsed.Postcode);
    }

    [Fact]
    public void A_line_of_81_characters_makes_the_address_invalid() =>
        Assert.False(PostalAddress.Create([new string('x', 81)], "DE4 3AG").IsValid);

    [Fact]
    public void Line_breaks_and_tabs_in_the_description_are_read_as_one_space_each_run() =>
        Assert.Equal("Line one Line two and a tab",
            CrimeEventParser.Parse(SnapshotJson.With(r => r.Crime()["offence"]!["description"] = "Line one\r\n\r\nLine two\tand a tab\n")).Snapshot!.Crime.Offence.Description);

    [Theory]
    [InlineData("Burglary\u0000", "must not contain control characters other than line breaks and tabs")]
    [InlineData("Burglary\u0085", "must not contain control characters other than line breaks and tabs")]
    [InlineData("Burglary \u202E(safe)", "must not contain bidirectional embedding, override or isolate characters")]
    public void Other_control_and_bidi_characters_in_the_description_refuse_the_snapshot(string description, string rule) =>
        Assert.Equal($"crime.offence.description {rule}", Reason(SnapshotJson.With(r => r.Crime()["offence"]!["description"] = description)));

    [Theory]
    [InlineData("\u0085")] // C1
    [InlineData("\u007F")] // DEL
    [InlineData("\u001B")] // ESC
    [InlineData("\t")]
    public void C0_DEL_and_C1_characters_refuse_the_snapshot_in_any_string_field(string character)
    {
        foreach (var (field, change) in new (string, Action<JsonObject>)[]
        {
            ("crime.officerInCase.phone", r => r.Crime()["officerInCase"]!["phone"] = "101" + character),
            ("crime.flags[0]", r => r.Crime()["flags"] = new JsonArray("Hate" + character)),
            ("victims[0].preferredLanguage", r => r.Victim()["preferredLanguage"] = "en" + character),
            ("victims[0].email", r => r.Victim()["email"] = "alex@example.org" + character),
            ("victims[0].title", r => r.Victim()["title"] = "Ms" + character),
        })
        {
            Assert.StartsWith($"{field} must not contain control characters", Reason(SnapshotJson.With(change)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("reference", "DB/26/1\u200B")]
    [InlineData("reference", "DB/26/\u00E91")]
    public void A_reference_must_be_printable_ASCII(string field, string value) =>
        Assert.Equal($"crime.{field} must be 1 to 64 printable ASCII characters (U+0020 to U+007E)", Reason(SnapshotJson.With(r => r.Crime()[field] = value)));

    [Theory]
    [InlineData("V\u200D1")]
    [InlineData("Zo\u00EB")]
    public void A_victim_id_must_be_printable_ASCII(string id) =>
        Assert.Equal("victims[0].id must be 1 to 64 printable ASCII characters (U+0020 to U+007E)", Reason(SnapshotJson.With(r => r.Victim()["id"] = id)));

    [Fact]
    public void An_eventId_longer_than_64_characters_is_refused() =>
        Assert.Equal("eventId is 65 characters; at most 64 are allowed", Reason(SnapshotJson.With(r => r["eventId"] = new string('e', 65))));

    [Fact]
    public void A_64_character_reference_with_slashes_and_question_marks_is_accepted()
    {
        var reference = ("DB/26/?q=" + string.Concat(Enumerable.Repeat("x/", 40)))[..64];
        Assert.Equal(reference, CrimeEventParser.Parse(SnapshotJson.With(r => r.Crime()["reference"] = reference)).Snapshot!.Crime.Reference);
    }

    [Theory]
    [InlineData("sentAt", "9999-12-31T23:59:59Z")]
    [InlineData("sentAt", "1999-12-31T23:59:59Z")]
    [InlineData("sentAt", "2100-01-01T00:00:01Z")]
    public void SentAt_must_be_within_2000_to_2100(string field, string value) =>
        Assert.Equal($"{field} must be from 2000-01-01 to 2100-01-01", Reason(SnapshotJson.With(r => r[field] = value)));

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public void RecordedAt_must_be_within_2000_to_2100(string value) =>
        Assert.Equal("crime.recordedAt must be from 2000-01-01 to 2100-01-01", Reason(SnapshotJson.With(r => r.Crime()["recordedAt"] = value)));

    [Theory]
    [InlineData("1899-12-31")]
    [InlineData("9999-12-31")]
    [InlineData("2026-10-06")] // the day after the London date of recording
    public void Date_of_birth_must_be_from_1900_to_the_London_recording_date(string value) =>
        Assert.Equal("victims[0].dateOfBirth must be from 1900-01-01 to the Europe/London date of crime.recordedAt",
            Reason(SnapshotJson.With(r => r.Victim()["dateOfBirth"] = value)));

    [Fact]
    public void A_date_of_birth_on_the_London_recording_date_is_accepted() =>
        Assert.True(CrimeEventParser.Parse(SnapshotJson.With(r => r.Victim()["dateOfBirth"] = "2026-10-05")).IsValid);
}
