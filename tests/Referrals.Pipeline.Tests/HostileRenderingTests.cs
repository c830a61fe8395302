using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Snapshots the contract accepts but whose content is hostile (display-name and multi-address emails flagged
/// safe, suspect parents with emails flagged safe, markup in names, forged labels in the offence description),
/// through the real pipeline on Azurite with SendGrid and the services' APIs faked over HTTP: no service ever
/// sees an unconfirmed contact as safe, an invalid address, or an injected line.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class HostileRenderingTests(AzuriteFixture azurite)
{
    private const string Forged = "Assault\r\nEmail: forged@example.net (safe to use)\nParent or guardian may be a suspect: no\r\nKind: Withdrawal";

    private static readonly HashSet<string> Labels =
    [
        "Kind", "Id", "Referral id for outcomes", "Withdraws referral", "Erasure notice for referral", "Service", "Crime reference", "Offence", "Offence description", "Recorded", "Victim id", "Name", "Phone", "Email",
        "Not included", "Preferred language", "Child", "Parent or guardian", "Parent or guardian email", "Parent or guardian may be a suspect",
        "Pathway", "Consent", "Enhanced rights", "Due by",

        // A Victim Care Unit task (TaskDocument): what it tells the operator, and never a contact not marked safe.
        "Task", "State", "What to do", "Outcomes", "Why", "Raised", "Due", "Hold", "Victim", "Victim's email (marked safe)",
        "Victim's phone (marked safe)", "Victim's address (marked safe)", "Parent or guardian's email (marked safe)",
        "Parent or guardian's phone (marked safe)", "Parent or guardian's address (marked safe)", "Officer in the case",
        "Officer's email", "Officer's phone", "History",
    ];

    private static readonly string[] ContactLabels = ["Phone", "Email", "Parent or guardian email"];

    private static readonly string[] Unusable = ["attacker", "not-an-email"];

    private static string Snapshot(string reference, string code, string[] flags, params JsonObject[] victims) => new JsonObject
    {
        ["schemaVersion"] = 1,
        ["eventId"] = $"evt-{reference.Replace('/', '-')}",
        ["sentAt"] = "2026-10-05T09:14:00Z",
        ["crime"] = new JsonObject
        {
            ["reference"] = reference,
            ["version"] = 1,
            ["recordedAt"] = "2026-10-05T08:50:00+01:00",
            ["offence"] = new JsonObject { ["homeOfficeCode"] = code, ["description"] = Forged },
            ["flags"] = new JsonArray([.. flags.Select(f => JsonValue.Create(f))]),
        },
        ["victims"] = new JsonArray(victims),
    }.ToJsonString();

    private static JsonObject Victim(string id, string support, string? email, bool? emailSafe, string givenName = "Sam", string familyName = "Taylor") => new()
    {
        ["id"] = id,
        ["givenName"] = givenName,
        ["familyName"] = familyName,
        ["support"] = support,
        ["email"] = email,
        ["emailSafe"] = emailSafe,
    };

    private static JsonObject Child(string id, string support, string parentEmail, bool? isSuspect)
    {
        var child = Victim(id, support, null, null);
        child["dateOfBirth"] = "2016-01-01";
        child["parentOrGuardian"] = new JsonObject
        {
            ["name"] = "Jo \"Parent\"\u200B <i>Taylor</i>\u2060",
            ["email"] = parentEmail,
            ["emailSafe"] = true,
            ["isSuspect"] = isSuspect,
        };
        return child;
    }

    /// <summary>Domestic abuse, consent given: each victim goes to general and idva (both APIs).</summary>
    private static readonly string DomesticAbuse = Snapshot("DB/26/000301", "8N", ["DomesticAbuse"],
        With(Victim("V1", "Accepted", "Evil <evil@attacker.example>", true, "Sam \"The\" <b>Boss</b>", "O'Neil <script>alert(1)</script>"), "phone", "07700 900123", "phoneSafe", true),
        Victim("V2", "Accepted", "victim@example.org, evil@attacker.example", true),
        Victim("V3", "Accepted", "not-an-email", true),
        With(Victim("V4", "Accepted", "safe.victim@example.org", true, "Alex & \"Co\"\u200B", "<O'Brien>\u2060"), "phone", "07700 900123 (safe to use)", "phoneSafe", true));

    /// <summary>A sexual offence: an adult referred to isva (secure email) and general; two children with suspect parents become Victim Care Unit tasks.</summary>
    private static readonly string SexualOffence = Snapshot("DB/26/000302", "19C", [],
        Victim("V1", "Accepted", "victim@example.org; forged@attacker.example", false),
        Child("V2", "NotAsked", "parent@example.org", isSuspect: true),
        Child("V3", "Declined", "parent2@example.org", isSuspect: null));

    private static JsonObject With(JsonObject node, string key1, string value1, string key2, bool value2)
    {
        node[key1] = value1;
        node[key2] = value2;
        return node;
    }

    private async Task<PipelineTestHost> RunAsync()
    {
        var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([DomesticAbuse, SexualOffence]);
        await pipeline.WaitUntilIdleAsync();
        return pipeline;
    }

    [Fact]
    public async Task The_services_api_receives_only_valid_contacts_flagged_safe_only_when_confirmed_and_one_line_text()
    {
        await using var pipeline = await RunAsync();

        var documents = pipeline.ServiceApis.LogEntries.Select(e => e.RequestMessage.Body!).ToList();
        Assert.Equal(9, documents.Count);
        foreach (var body in documents)
        {
            Assert.All(Unusable, bad => Assert.DoesNotContain(bad, body, StringComparison.Ordinal));
            var document = JsonDocument.Parse(body).RootElement;
            var crime = document.GetProperty("crimeReference").GetString();
            var victim = document.GetProperty("victim");
            var id = victim.GetProperty("id").GetString();
            Assert.Equal((crime, id) is ("DB/26/000301", "V4"), victim.GetProperty("emailSafe").GetBoolean());
            Assert.Equal((crime, id) is ("DB/26/000301", "V1"), victim.GetProperty("phoneSafe").GetBoolean());
            var description = document.GetProperty("offence").GetProperty("description").GetString()!;
            Assert.StartsWith("Assault Email: forged@example.net (safe to use)", description, StringComparison.Ordinal);
            Assert.DoesNotContain(description, Unreadable);
            if ((crime, id) is ("DB/26/000301", "V1" or "V2" or "V3"))
            {
                Assert.False(victim.TryGetProperty("email", out _));
                Assert.Contains("email: not a single valid address", victim.GetProperty("omitted").EnumerateArray().Select(r => r.GetString()));
            }
        }
    }

    [Fact]
    public async Task Secure_emails_and_victim_care_unit_tasks_have_no_injected_line_no_invalid_address_and_no_unconfirmed_safe_contact()
    {
        await using var pipeline = await RunAsync();

        var mails = ServiceMails(pipeline);
        Assert.Equal(
            ["isva.referrals@sexual-violence-support.cjsm.example Referral", "victim.care.tasks@police.cjsm.example ConsentRequest", "victim.care.tasks@police.cjsm.example SingleSessionOffer"],
            mails.Select(m => $"{m.To} {Field(m.Text, "Kind")}").Where(m => !m.EndsWith(" ContactNeeded", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // Rulebook 1.1: victims no channel can safely reach also get a ContactNeeded task, held to the same checks below.
        Assert.Contains(mails, m => Field(m.Text, "Kind") == "ContactNeeded");
        foreach (var (_, subject, text) in mails)
        {
            Assert.DoesNotContain(subject, c => c is '\r' or '\n');
            Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
            Assert.All(Unusable, bad => Assert.DoesNotContain(bad, text, StringComparison.Ordinal));
            var lines = text[..^2].Split("\r\n");
            Assert.All(lines, line => Assert.DoesNotContain(line, Unreadable));
            Assert.All(lines, line => Assert.Contains(line[..Math.Max(0, line.IndexOf(": ", StringComparison.Ordinal))], Labels));
            Assert.Single(lines, l => l.StartsWith("Kind: ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("Email: forged", StringComparison.Ordinal) || l.StartsWith("Kind: Withdrawal", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => ContactLabels.Any(c => l.StartsWith(c + ": ", StringComparison.Ordinal)) && l.EndsWith("(safe to use)", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("Parent or guardian may be a suspect: no", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("Email: victim@example.org", StringComparison.Ordinal));
        }

        // A task shows a parent who is (or may be) a suspect by name only, and never their contacts.
        var consent = mails.Single(m => Field(m.Text, "Kind") == "ConsentRequest").Text;
        Assert.Contains("\r\nParent or guardian: \u201CJo 'Parent' <i>Taylor</i>\u201D\r\n", consent, StringComparison.Ordinal);
        Assert.Contains("\r\nParent or guardian: may be a suspect (or the record does not say): do not contact them about the victim\r\n", consent, StringComparison.Ordinal);
        Assert.DoesNotContain("parent@example.org", consent, StringComparison.Ordinal);
        var session = mails.Single(m => Field(m.Text, "Kind") == "SingleSessionOffer").Text;
        Assert.Contains("\r\nParent or guardian: may be a suspect (or the record does not say): do not contact them about the victim\r\n", session, StringComparison.Ordinal);
        Assert.DoesNotContain("parent2@example.org", session, StringComparison.Ordinal);
        Assert.DoesNotContain("Assault", consent + session, StringComparison.Ordinal); // never the offence's free text
        var isva = mails.Single(m => Field(m.Text, "Kind") == "Referral").Text;
        Assert.Contains("\r\nNot included: email: not a single valid address\r\n", isva, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_victim_with_a_usable_address_is_emailed_and_their_names_are_encoded()
    {
        await using var pipeline = await RunAsync();

        // The one victim with a usable address gets the entitlement email, its names encoded in the HTML part.
        var entitlement = Assert.Single(EntitlementMails(pipeline));
        Assert.Equal("safe.victim@example.org", entitlement.To);
        Assert.DoesNotContain(entitlement.Subject, Unreadable);
        Assert.DoesNotContain(entitlement.Text, c => c != '\n' && Unreadable(c));
        Assert.Contains("Alex &amp; &quot;Co&quot; &lt;O&#39;Brien&gt;", entitlement.Html, StringComparison.Ordinal);
    }

    private static bool Unreadable(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format;

    private static string Field(string text, string label) =>
        text.Split("\r\n").First(l => l.StartsWith(label + ": ", StringComparison.Ordinal))[(label.Length + 2)..];

    private static List<(string To, string Subject, string Text)> ServiceMails(PipelineTestHost pipeline) =>
        [.. Mails(pipeline, "service-referral").Select(m => (m.To, m.Subject, m.Content[0]))];

    private static List<(string To, string Subject, string Text, string Html)> EntitlementMails(PipelineTestHost pipeline) =>
        [.. Mails(pipeline, "entitlement-email").Select(m => (m.To, m.Subject, m.Content[0], m.Content[1]))];

    private static IEnumerable<(string To, string Subject, string[] Content)> Mails(PipelineTestHost pipeline, string category) =>
        pipeline.SendGrid.LogEntries
            .Where(e => e.ResponseMessage.StatusCode is int status && status is >= 200 and < 300)
            .Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement)
            .Where(mail => mail.GetProperty("categories").EnumerateArray().Any(c => c.GetString() == category))
            .Select(mail => (
                mail.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!,
                mail.GetProperty("personalizations")[0].TryGetProperty("subject", out var s) ? s.GetString()! : mail.GetProperty("subject").GetString()!,
                mail.GetProperty("content").EnumerateArray().Select(c => c.GetProperty("value").GetString()!).ToArray()));
}
