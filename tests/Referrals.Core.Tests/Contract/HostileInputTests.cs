using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contract;

/// <summary>
/// A corpus of broken and hostile messages. Each must end in a clear rejection or a safe decision,
/// never an unhandled exception, a stack trace, or unencoded markup in an email.
/// </summary>
public class HostileInputTests
{
    private static readonly string Huge = new('A', 100_000);

    public static TheoryData<string, byte[]> Corpus()
    {
        var cases = new List<(string Name, string Json)>
        {
            ("empty message", ""),
            ("whitespace only", "   \n\t "),
            ("null", "null"),
            ("a number", "42"),
            ("a string", "\"crime\""),
            ("an array", "[]"),
            ("an empty object", "{}"),
            ("truncated JSON", SnapshotJson.Valid[..200]),
            ("two JSON values", SnapshotJson.Valid + SnapshotJson.Valid),
            ("single quotes", SnapshotJson.Valid.Replace('"', '\'')),
            ("trailing comma", SnapshotJson.Valid.Replace("\"support\": \"NotAsked\",", "\"support\": \"NotAsked\",,", StringComparison.Ordinal)),
            ("nested 1000 deep", new string('[', 1000) + new string(']', 1000)),
            ("nested objects in a name", SnapshotJson.With(r => r.Victim()["givenName"] = JsonNode.Parse(new string('[', 10) + new string(']', 10)))),
            ("schemaVersion as string", SnapshotJson.With(r => r["schemaVersion"] = "1")),
            ("schemaVersion 0", SnapshotJson.With(r => r["schemaVersion"] = 0)),
            ("schemaVersion huge", SnapshotJson.With(r => r["schemaVersion"] = JsonNode.Parse("99999999999999999999"))),
            ("eventId number", SnapshotJson.With(r => r["eventId"] = 7)),
            ("eventId empty", SnapshotJson.With(r => r["eventId"] = "")),
            ("eventId huge", SnapshotJson.With(r => r["eventId"] = new string('e', 5000))),
            ("eventId with NUL", SnapshotJson.With(r => r["eventId"] = "abc\u0000def")),
            ("sentAt number", SnapshotJson.With(r => r["sentAt"] = 1700000000)),
            ("sentAt without offset", SnapshotJson.With(r => r["sentAt"] = "2026-10-05T09:14:00")),
            ("recordedAt garbage", SnapshotJson.With(r => r.Crime()["recordedAt"] = "<script>alert(1)</script>")),
            ("crime array", SnapshotJson.With(r => r["crime"] = new JsonArray())),
            ("crime null", SnapshotJson.With(r => r["crime"] = null)),
            ("reference empty", SnapshotJson.With(r => r.Crime()["reference"] = "  ")),
            ("reference with line break", SnapshotJson.With(r => r.Crime()["reference"] = "DB/26/1\r\nX-Injected: yes")),
            ("reference huge", SnapshotJson.With(r => r.Crime()["reference"] = Huge[..60_000])),
            ("version negative", SnapshotJson.With(r => r.Crime()["version"] = -1)),
            ("version fractional", SnapshotJson.With(r => r.Crime()["version"] = 2.5)),
            ("version true", SnapshotJson.With(r => r.Crime()["version"] = true)),
            ("offence string", SnapshotJson.With(r => r.Crime()["offence"] = "8N")),
            ("offence code number", SnapshotJson.With(r => r.Crime()["offence"]!["homeOfficeCode"] = 8)),
            ("offence code empty", SnapshotJson.With(r => r.Crime()["offence"]!["homeOfficeCode"] = "")),
            ("offence code with script", SnapshotJson.With(r => r.Crime()["offence"]!["homeOfficeCode"] = "<script>x</script>")),
            ("offence code huge", SnapshotJson.With(r => r.Crime()["offence"]!["homeOfficeCode"] = Huge[..50_000])),
            ("flags object", SnapshotJson.With(r => r.Crime()["flags"] = new JsonObject())),
            ("flags with null", SnapshotJson.With(r => r.Crime()["flags"] = new JsonArray(null, "Hate"))),
            ("officer string", SnapshotJson.With(r => r.Crime()["officerInCase"] = "PC Khan")),
            ("officer email hostile", SnapshotJson.With(r => r.Crime()["officerInCase"]!["email"] = "x@y.org\r\nBcc: z@y.org")),
            ("victims object", SnapshotJson.With(r => r["victims"] = new JsonObject())),
            ("victim string", SnapshotJson.With(r => r["victims"] = new JsonArray("V1"))),
            ("victim null", SnapshotJson.With(r => r["victims"] = new JsonArray((JsonNode?)null))),
            ("victim id missing", SnapshotJson.With(r => r.Victim().Remove("id"))),
            ("victim id number", SnapshotJson.With(r => r.Victim()["id"] = 1)),
            ("given name number", SnapshotJson.With(r => r.Victim()["givenName"] = 12)),
            ("given name huge", SnapshotJson.With(r => r.Victim()["givenName"] = Huge[..20_000])),
            ("given name with NUL", SnapshotJson.With(r => r.Victim()["givenName"] = "Al\u0000ex")),
            ("given name with CR LF", SnapshotJson.With(r => r.Victim()["givenName"] = "Alex\r\nSubject: hacked")),
            ("family name with unicode line separator", SnapshotJson.With(r => r.Victim()["familyName"] = "Mor\u2028gan")),
            ("family name with escape sequence", SnapshotJson.With(r => r.Victim()["familyName"] = "\u001b[31mMorgan")),
            ("given name with script tag", SnapshotJson.With(r => r.Victim()["givenName"] = "<script>alert('x')</script>")),
            ("title with markup", SnapshotJson.With(r => r.Victim()["title"] = "<b onmouseover=alert(1)>Ms</b>")),
            ("family name with html entity and quotes", SnapshotJson.With(r => r.Victim()["familyName"] = "\"&amp;'><img src=x onerror=alert(1)>")),
            ("names right-to-left override", SnapshotJson.With(r => r.Victim()["givenName"] = "\u202Eevil")),
            ("no names", SnapshotJson.With(r => { r.Victim().Remove("givenName"); r.Victim().Remove("familyName"); })),
            ("email number", SnapshotJson.With(r => r.Victim()["email"] = 5)),
            ("email with CR LF header", SnapshotJson.With(r => r.Victim()["email"] = "alex@example.org\r\nBcc: abuser@example.org")),
            ("email with display name", SnapshotJson.With(r => r.Victim()["email"] = "Abuser <abuser@example.org>")),
            ("email list", SnapshotJson.With(r => r.Victim()["email"] = "alex@example.org, abuser@example.org")),
            ("email with script", SnapshotJson.With(r => r.Victim()["email"] = "<script>@example.org")),
            ("email huge", SnapshotJson.With(r => r.Victim()["email"] = Huge[..300] + "@example.org")),
            ("emailSafe string", SnapshotJson.With(r => r.Victim()["emailSafe"] = "true")),
            ("emailSafe number", SnapshotJson.With(r => r.Victim()["emailSafe"] = 1)),
            ("vulnerable string", SnapshotJson.With(r => r.Victim()["vulnerable"] = "no")),
            ("dateOfBirth number", SnapshotJson.With(r => r.Victim()["dateOfBirth"] = 19910314)),
            ("dateOfBirth year 0001", SnapshotJson.With(r => r.Victim()["dateOfBirth"] = "0001-01-01")),
            ("dateOfBirth in the future", SnapshotJson.With(r => r.Victim()["dateOfBirth"] = "2099-01-01")),
            ("support lower case", SnapshotJson.With(r => r.Victim()["support"] = "accepted")),
            ("support number", SnapshotJson.With(r => r.Victim()["support"] = 1)),
            ("preferredLanguage path traversal", SnapshotJson.With(r => r.Victim()["preferredLanguage"] = "../../../etc/passwd")),
            ("preferredLanguage huge", SnapshotJson.With(r => r.Victim()["preferredLanguage"] = Huge[..1000])),
            ("parentOrGuardian array", SnapshotJson.With(r => r.Victim()["parentOrGuardian"] = new JsonArray())),
            ("parentOrGuardian isSuspect string", SnapshotJson.With(r => r.Victim()["parentOrGuardian"] = new JsonObject { ["isSuspect"] = "no" })),
            ("child with hostile parent name", SnapshotJson.With(r =>
            {
                r.Victim()["dateOfBirth"] = "2015-01-01";
                r.Victim()["parentOrGuardian"] = new JsonObject { ["name"] = "<script>alert(1)</script>", ["email"] = "p@example.org", ["emailSafe"] = true, ["isSuspect"] = false };
            })),
            ("child with suspect parent", SnapshotJson.With(r =>
            {
                r.Victim()["dateOfBirth"] = "2015-01-01";
                r.Victim()["parentOrGuardian"] = new JsonObject { ["name"] = "P", ["email"] = "p@example.org", ["emailSafe"] = true, ["isSuspect"] = true };
            })),
            ("over 64 KiB", SnapshotJson.With(r => r.Crime()["offence"]!["description"] = Huge)),
        };

        var data = new TheoryData<string, byte[]>();
        foreach (var (name, json) in cases)
        {
            data.Add(name, Encoding.UTF8.GetBytes(json));
        }

        data.Add("invalid UTF-8", [.. Encoding.UTF8.GetBytes(SnapshotJson.Valid[..100]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(SnapshotJson.Valid[100..])]);
        data.Add("lone surrogate escape in name", Encoding.UTF8.GetBytes(SnapshotJson.Valid.Replace("\"Alex\"", "\"\\uD800\"", StringComparison.Ordinal)));
        data.Add("binary garbage", [.. Enumerable.Range(0, 512).Select(i => (byte)((i * 37) % 256))]);
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_50_messages() => Assert.True(Corpus().Count >= 50);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Hostile_message_ends_in_a_clear_rejection_or_a_safe_decision(string name, byte[] message)
    {
        var result = CrimeEventParser.Parse(message);

        if (!result.IsValid)
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Reason), name);
            Assert.DoesNotContain("   at ", result.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", result.Reason, StringComparison.Ordinal);
            Assert.True(result.Reason!.Length < 2_000, $"{name}: the reason should be short enough to read");
            Assert.False(result.Reason.Any(char.IsControl), $"{name}: the reason should be one printable line");
            return;
        }

        foreach (var (victim, decision) in result.Snapshot!.Victims.Zip(Rulebook.Decide(result.Snapshot)))
        {
            Assert.NotEmpty(decision.Reasons);
            if (Composer.Compose(result.Snapshot, victim, decision) is { } email)
            {
                Assert.Contains("<h1 style=", email.HtmlBody, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("<img", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("<b ", email.HtmlBody, StringComparison.OrdinalIgnoreCase);
                Assert.False(email.Subject.Any(char.IsControl), $"{name}: the subject must be one line");
                Assert.True(Referrals.Rules.EmailAddress.IsValid(email.To), name);
            }
        }
    }

    private static readonly string HostileCorpusPath = Path.Combine(AppContext.BaseDirectory, "hostile", "crime-events-hostile.jsonl");

    /// <summary>The shared hostile corpus (tests/hostile/crime-events-hostile.jsonl): line number, class and the line.</summary>
    public static TheoryData<int, string, string> HostileCorpus()
    {
        var data = new TheoryData<int, string, string>();
        var lines = File.ReadAllLines(HostileCorpusPath);
        for (var i = 0; i < lines.Length; i++)
        {
            data.Add(i + 1, JsonNode.Parse(lines[i])!["_class"]!.GetValue<string>(), lines[i]);
        }

        return data;
    }

    [Fact]
    public void The_hostile_corpus_covers_every_class_of_the_issue()
    {
        var classes = HostileCorpus().Select(row => (string)row[1]).ToHashSet();
        foreach (var expected in new[]
        {
            "control-character", "bidi", "non-ascii-id", "long-id", "extreme-date", "extreme-integer", "wrong-field",
            "allowed-text", "allowed-id", "invalid-email", "address", "malformed-address", "rule-stalking", "rule-family-liaison",
        })
        {
            Assert.Contains(expected, classes);
        }
    }

    [Theory]
    [MemberData(nameof(HostileCorpus))]
    public void Hostile_corpus_line_is_refused_naming_the_field_or_decided_safely(int line, string kind, string json)
    {
        var expect = JsonNode.Parse(json)!.AsObject();
        var result = CrimeEventParser.Parse(json);

        if ((string)expect["_expect"]! == "rejected")
        {
            Assert.False(result.IsValid, $"line {line} ({kind}) should be refused");
            Assert.Contains((string)expect["_field"]!, result.Reason, StringComparison.Ordinal);
            Assert.False(result.Reason!.Any(char.IsControl), $"line {line}: the reason should be one printable line");
            if (expect["_secret"] is { } secret)
            {
                Assert.DoesNotContain((string)secret!, result.Reason, StringComparison.Ordinal);
            }

            return;
        }

        Assert.True(result.IsValid, $"line {line} ({kind}): {result.Reason}");
        var snapshot = result.Snapshot!;
        var decisions = Rulebook.Decide(snapshot);
        var victim = snapshot.Victims[0];
        var email = decisions[0].Email;
        foreach (var (v, decision) in snapshot.Victims.Zip(decisions))
        {
            if (Composer.Compose(snapshot, v, decision) is { } composed)
            {
                Assert.True(EmailAddress.IsValid(composed.To), $"line {line}");
                Assert.False(composed.Subject.Any(char.IsControl), $"line {line}: the subject must be one line");
            }
        }

        switch (kind)
        {
            case "allowed-text":
                Assert.False(snapshot.Crime.Offence.Description?.Any(char.IsControl) ?? false, $"line {line}: the description is read as one line");
                break;
            case "invalid-email":
                Assert.Equal(MessageReason.NoEmailAddress, email.Reason);
                break;
            case "address":
                Assert.True(victim.Address?.IsValid ?? victim.ParentOrGuardian?.Address?.IsValid, $"line {line}");
                break;
            case "malformed-address":
                Assert.False(victim.Address!.IsValid, $"line {line}");
                Assert.Empty(victim.Address.Lines);
                break;
            case "rule-stalking":
                Assert.Equal(MessageReason.NotConfirmedSafe, email.Reason);
                break;
            case "rule-family-liaison":
                Assert.Equal(MessageReason.FamilyLiaison, email.Reason);
                break;
        }
    }

    [Theory]
    [InlineData("victims[0].emailSafe", "someone@example.org")]
    [InlineData("victims[0].dateOfBirth", "Alex Morgan")]
    [InlineData("victims[0].support", "Sam Taylor")]
    [InlineData("crime.version", "07700 900123")]
    [InlineData("sentAt", "Alex Morgan")]
    [InlineData("schemaVersion", "1991-03-14")]
    public void A_value_in_the_wrong_field_is_refused_without_quoting_it(string field, string value)
    {
        var json = SnapshotJson.With(r =>
        {
            var parts = field.Split('.');
            var node = parts[0] == "victims[0]" ? r.Victim() : parts[0] == "crime" ? r.Crime() : r;
            node[parts[^1]] = value;
        });

        var reason = CrimeEventParser.Parse(json).Reason!;

        Assert.StartsWith(field, reason, StringComparison.Ordinal);
        Assert.DoesNotContain(value, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_victim_id_is_refused_without_quoting_it()
    {
        var json = SnapshotJson.With(r =>
        {
            r.Victim()["id"] = "alex.morgan@example.org";
            ((JsonArray)r["victims"]!).Add(r.Victim().DeepClone());
        });

        Assert.Equal("victims[1].id appears more than once: each victim needs its own id", CrimeEventParser.Parse(json).Reason);
    }

    [Theory]
    [InlineData("{\"schemaVersion\":1,\"eventId\":Alex}", "message is not valid JSON: ")]
    [InlineData("{\"schemaVersion\":1,\"eventId\":\"x\",\"eventId\":\"Alex\"}", "message is not valid JSON: ")]
    public void Invalid_json_is_refused_without_quoting_what_was_found(string json, string refusal)
    {
        var reason = CrimeEventParser.Parse(json).Reason;

        Assert.StartsWith(refusal, reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Alex", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_is_refused_in_one_plain_sentence_with_its_place()
    {
        var reason = CrimeEventParser.Parse("{\"schemaVersion\": 1, bad}").Reason;

        Assert.Equal("message is not valid JSON: a character is an invalid start of a property name (line 1, byte 22)", reason);
    }

    [Theory]
    [InlineData("{\"O'Quixworth Zelda\": 1, \"O'Quixworth Zelda\": 2}", "message is not valid JSON: a property name appears twice in one object")]
    [InlineData("{\"schemaVersion\": 1 'Zelda'}", "message is not valid JSON: a character is invalid after a value (line 1, byte 21)")]
    [InlineData("{\"Zel'da\" x}", "message is not valid JSON: a character is invalid after a property name (line 1, byte 11)")]
    public void Invalid_json_never_quotes_a_name_or_character_even_one_holding_a_quote(string json, string expected) =>
        Assert.Equal(expected, CrimeEventParser.Parse(json).Reason);

    [Fact]
    public void A_control_character_in_an_unknown_property_refuses_the_snapshot_without_naming_the_property()
    {
        var reason = CrimeEventParser.Parse(SnapshotJson.With(r => r.Victim()["alex.morgan@example.org"] = "x\u0007")).Reason;

        Assert.Equal("victims[0].(an unknown property) must not contain control characters (line breaks, tabs and the like)", reason);
    }
}
