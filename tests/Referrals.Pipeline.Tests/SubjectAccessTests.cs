using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 29: `referrals subject-access` lists every message on every channel, referral, task, outcome, decision and
/// message not processed of the victim, only their own personal data, as JSON and as a page they can read; an unknown
/// victim gets "nothing is held" and exit 3; `referrals erase` removes the personal data of every one of those places.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class SubjectAccessTests(AzuriteFixture azurite)
{
    private const string Crime = "DB/26/000779";

    /// <summary>Two victims of one crime: V1, an adult with an email, a phone and an address; V2, a child whose parent is emailed. Synthetic.</summary>
    private static string Snapshot(int version = 1, int schemaVersion = 1) => $$$"""
        {"schemaVersion":{{{schemaVersion}}},"eventId":"evt-779-{{{version}}}","sentAt":"2026-10-05T09:14:00Z",
         "crime":{"reference":"{{{Crime}}}","version":{{{version}}},"recordedAt":"2026-10-05T08:50:00+01:00","offence":{"homeOfficeCode":"28E","description":""},"flags":[]},
         "victims":[
          {"id":"V1","givenName":"Robin","familyName":"O'Neill <Test> & Co","support":"NotAsked","email":"robin.subject@example.org","emailSafe":true,
           "phone":"07700 900123","phoneSafe":true,"address":{"lines":["1 Test Street","Testtown"],"postcode":"TE1 1ST"},"addressSafe":true},
          {"id":"V2","givenName":"Other","familyName":"Childvictim","dateOfBirth":"2015-03-01","support":"NotAsked",
           "parentOrGuardian":{"name":"Pat Parentname","email":"pat.parent@example.org","emailSafe":true,"isSuspect":false}}]}
        """.ReplaceLineEndings(string.Empty);

    [Fact]
    public async Task Subject_access_lists_every_channel_referral_task_outcome_decision_and_rejected_message_of_the_victim_only_reads_as_a_page_and_erase_removes_each()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Snapshot()]);
        await pipeline.WaitUntilIdleAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"referrals-sar-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);

        // The general service reports it could not contact V1 (an outcome, and a task for the Unit).
        var referral = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.VictimId == "V1" && d.Kind == Referrals.Forwarding.DeliveryKind.Referral);
        var csv = Path.Combine(folder, "outcomes.csv");
        await File.WriteAllTextAsync(csv, $"referral_id,status,reason,at\r\n{referral.PublicId},CouldNotContact,WrongDetails,06/10/2026 15:30\r\n");
        var (imported, importOut, importErr) = await pipeline.ProcessCliAsync("outcomes", "import", csv, "--service", "general");
        await pipeline.WaitUntilIdleAsync();
        // A text message and a letter went to V1 as well (as Notify reports them).
        await WithTextAndLetterAsync(pipeline);
        // The records system sends a message the contract refuses, as raw JSON (not Base64), naming V1.
        await pipeline.CrimeEventsRaw.SendMessageAsync(Snapshot(2, schemaVersion: 99));
        await pipeline.WaitUntilIdleAsync();

        var (exitCode, output) = await pipeline.CliAsync("subject-access", Crime, "V1", "--out", Path.Combine(folder, "v1.json"), "--operator", "sar.team@police.example");
        var (childExit, _) = await pipeline.CliAsync("subject-access", Crime, "V2", "--out", Path.Combine(folder, "v2.json"), "--operator", "sar.team@police.example");
        var (unknownExit, unknown) = await pipeline.CliAsync("subject-access", Crime, "V9", "--out", Path.Combine(folder, "v9.json"), "--operator", "sar.team@police.example");
        Assert.True(exitCode == 0, output);
        Assert.True(imported == 0, importOut + importErr);
        var (json, html) = (await File.ReadAllTextAsync(Path.Combine(folder, "v1.json")), await File.ReadAllTextAsync(Path.Combine(folder, "v1.html")));
        var (childJson, childHtml) = (await File.ReadAllTextAsync(Path.Combine(folder, "v2.json")), await File.ReadAllTextAsync(Path.Combine(folder, "v2.html")));
        var report = await Browser.BrowserHarness.CheckAsync([new Browser.BrowserPage("subject-access", File: Path.Combine(folder, "v1.html"), Find: ["robin.subject@example.org"])], "subject-access", [320, 1024]);
        File.Copy(Path.Combine(folder, "v1.html"), Path.Combine(Browser.BrowserHarness.ArtifactsFolder("subject-access"), "subject-access.html"), overwrite: true);

        var (erased, _, eraseErr) = await pipeline.ProcessCliAsync("erase", Crime, "V1", "--reason", "erasure request ER-779", "--operator", "dpo@police.example");
        await pipeline.WaitUntilIdleAsync();
        var (afterExit, _) = await pipeline.CliAsync("subject-access", Crime, "V1", "--out", Path.Combine(folder, "after.json"), "--operator", "sar.team@police.example");
        var after = await File.ReadAllTextAsync(Path.Combine(folder, "after.json"));
        var afterPage = await File.ReadAllTextAsync(Path.Combine(folder, "after.html"));
        Directory.Delete(folder, recursive: true);

        Assert.True(imported == 0, importOut + importErr);
        Assert.Equal(0, exitCode);
        Assert.Contains("v1.html", output, StringComparison.Ordinal);
        var document = JsonNode.Parse(json)!;
        Assert.Equal("robin.subject@example.org", document["personalData"]!["email"]!.GetValue<string>());
        var messages = document["messages"]!.AsArray();
        Assert.Equal(["Email", "Sms", "Letter"], messages.Select(m => m!["channel"]!.GetValue<string>()));
        Assert.Equal("robin.subject@example.org", messages[0]!["sentTo"]!.GetValue<string>());
        Assert.Equal("07700 900123", messages[1]!["sentTo"]!.GetValue<string>());
        Assert.Equal("TE1 1ST", messages[2]!["sentTo"]!["postcode"]!.GetValue<string>());
        Assert.Contains(document["referrals"]!.AsArray(), r => r!["what"]!.GetValue<string>() == "Referral" && r["service"]!.GetValue<string>() == "general" && r["status"]!.GetValue<string>() == "Delivered");
        Assert.Contains(document["tasks"]!.AsArray(), t => t!["kind"]!.GetValue<string>() == "ServiceCouldNotContact" && t["reasons"]![0]!.GetValue<string>() == "general:CouldNotContact:WrongDetails");
        Assert.Contains(document["outcomes"]!.AsArray(), o => o!["status"]!.GetValue<string>().StartsWith("CouldNotContact", StringComparison.Ordinal));
        Assert.Contains(document["decisions"]!.AsArray(), d => d!["what"]!.GetValue<string>() == "Snapshot");
        var rejected = Assert.Single(document["messagesNotProcessed"]!.AsArray())!.AsObject();
        Assert.Equal(["id", "kind", "receivedAt", "reason"], rejected.Select(p => p.Key));
        // Nobody else's personal data: not the other victim's, not a parent's, not staff's names.
        foreach (var text in new[] { json, html })
        {
            Assert.Contains("robin.subject@example.org", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Childvictim", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Parentname", text, StringComparison.Ordinal);
            Assert.DoesNotContain("pat.parent", text, StringComparison.Ordinal);
            Assert.DoesNotContain("sar.team", text, StringComparison.Ordinal);
        }

        // A page in plain words: headings, the victim's own name encoded, no table rows, no Base64, nothing of the rejected message.
        Assert.Contains("<h1>The information we hold about you</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Messages sent to you</h2>", html, StringComparison.Ordinal);
        Assert.Contains("O&#39;Neill &lt;Test&gt; &amp; Co", html, StringComparison.Ordinal);
        Assert.Contains("Text message", html, StringComparison.Ordinal);
        Assert.Contains("1 Test Street, Testtown, TE1 1ST", html, StringComparison.Ordinal);
        Assert.Contains("Could not contact", html, StringComparison.Ordinal);
        var tasks = html[html.IndexOf("<h2>Tasks", StringComparison.Ordinal)..html.IndexOf("<h2>What support services", StringComparison.Ordinal)];
        Assert.Matches("<td>[^<]+ could not contact you: the contact details it had were wrong</td></tr>", tasks);
        Assert.DoesNotContain("CouldNotContact", tasks, StringComparison.Ordinal);
        Assert.DoesNotContain("RowKey", html, StringComparison.Ordinal);
        Assert.DoesNotContain("PartitionKey", html, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("schemaVersion", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sar.team", html, StringComparison.Ordinal);
        var checkedPage = Assert.Single(report.Pages);
        Assert.All(checkedPage.Widths, w => Assert.False(w.Overflow, $"{w.Width}px scrolls sideways: {string.Join(", ", w.Overflowing)}"));
        Assert.All(checkedPage.Widths, w => Assert.DoesNotContain(w.Violations, v => v.IsSeriousOrCritical));

        // The child: a parent or guardian is recorded and was emailed, and nothing of theirs is shown.
        Assert.Equal(0, childExit);
        Assert.Contains("\"parentOrGuardianRecorded\": true", childJson, StringComparison.Ordinal);
        Assert.True(childHtml.Contains("Your parent or guardian", StringComparison.Ordinal), childJson);
        Assert.DoesNotContain("pat.parent", childJson + childHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("Parentname", childJson + childHtml, StringComparison.Ordinal);

        Assert.Equal(3, unknownExit); // PrivacyCommands.NothingHeld
        Assert.Contains("Nothing is held about crime DB/26/000779 victim V9", unknown, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "v9.json")));

        // Erased: every place is without their personal data; what was decided and sent stays, without it.
        Assert.True(erased == 0, eraseErr);
        Assert.Equal(0, afterExit);
        var erasedDocument = JsonNode.Parse(after)!;
        Assert.True(erasedDocument["erased"]!.GetValue<bool>());
        Assert.Null(erasedDocument["personalData"]);
        Assert.Empty(erasedDocument["messagesNotProcessed"]!.AsArray());
        Assert.All(erasedDocument["messages"]!.AsArray(), m => Assert.Null(m!["sentTo"]));
        Assert.NotEmpty(erasedDocument["referrals"]!.AsArray());
        foreach (var personal in new[] { "robin.subject", "07700 900123", "TE1 1ST", "Robin", "Test Street" })
        {
            Assert.DoesNotContain(personal, after + afterPage, StringComparison.Ordinal);
        }

        Assert.Contains("Your personal details were erased", afterPage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_value_stays_one_encoded_line_and_adds_no_heading_or_label()
    {
        var document = Document("DB/26/1\n<h2>Injected</h2>", "V1\r\nLabel: forged",
            new JsonObject { ["givenName"] = "Sam</dd><dt>Injected label", ["email"] = "a@example.org\u2028Next line" });
        document["messages"] = new JsonArray(new JsonObject { ["channel"] = "Email", ["to"] = "Victim", ["sentTo"] = "<script>alert(1)</script>", ["status"] = "Sent\nFailed" });

        var page = SubjectAccessPage.Render(document);

        Assert.Contains("&lt;h2&gt;Injected&lt;/h2&gt;", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Injected", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<dt>Injected", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\nLabel: forged", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\u2028", page, StringComparison.Ordinal);
        Assert.Equal(2, page.Split("<dt>").Length - 1);
    }

    [Fact]
    public void The_details_as_held_read_as_words_a_victim_understands_and_an_unknown_code_is_shown_as_held()
    {
        var document = Document("DB/26/1", "V1", new JsonObject { ["support"] = "NotAsked", ["emailSafe"] = false, ["dateOfBirth"] = "1991-03-14", ["preferredLanguage"] = "cy" });
        var other = document.DeepClone().AsObject();
        other["personalData"]!["support"] = "Maybe<b>";

        var page = SubjectAccessPage.Render(document);
        var otherPage = SubjectAccessPage.Render(other);

        Assert.Contains("<dt>Referral to support services</dt><dd>you have not been asked yet</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Safe to email you</dt><dd>no</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Date of birth</dt><dd>1991-03-14</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Preferred language</dt><dd>cy</dd>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("NotAsked", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Referral to support services</dt><dd>Maybe&lt;b&gt;</dd>", otherPage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tasks_reasons_read_in_the_victims_words_one_a_line_and_an_unknown_or_hostile_code_is_shown_as_held_encoded()
    {
        var document = Document("DB/26/1", "V1", new JsonObject());
        string[] progress = ["Safe", "InFlight", "Delivered", "Failed", .. Enum.GetNames<MessageReason>()];
        string[] plan = [.. Enum.GetValues<Channel>().SelectMany(c => progress.Select(w => $"{c}:{w}"))];
        document["tasks"] = new JsonArray(
            Task("ContactNeeded", null, ["Email:NoEmailAddress", "Sms:Failed", "Letter:UnsafeToContact"]),
            Task("ConsentRequest", null, ["SupportNotAsked", "ConsentPathway"]),
            Task("ServiceCouldNotContact", "General <Support> Service", ["general:CouldNotContact:WrongDetails", "general:ContactUnsafe"]),
            Task("ContactNeeded", null, ["Carrier:Pigeon", "Email:Lost<b>\nWhy: forged", "1:Failed", "</td><td>Injected", ":ContactUnsafe"]),
            Task("ContactNeeded", null, plan));

        var page = SubjectAccessPage.Render(document);
        var rows = page.Split("<tr>").Where(r => r.Contains("</td>", StringComparison.Ordinal)).ToList();

        Assert.Equal(5, rows.Count);
        Assert.EndsWith("<td>Email: we have no email address we can use<br>Text message: it did not reach you<br>Letter: it is not safe to contact you this way</td></tr>\n", rows[0], StringComparison.Ordinal);
        Assert.EndsWith("<td>You have not been asked yet whether you want support<br>We refer you to a support service only if you agree</td></tr>\n", rows[1], StringComparison.Ordinal);
        Assert.EndsWith("<td>General &lt;Support&gt; Service could not contact you: the contact details it had were wrong<br>General &lt;Support&gt; Service judged it was not safe to contact you</td></tr>\n", rows[2], StringComparison.Ordinal);
        Assert.EndsWith("<td>Carrier:Pigeon<br>Email:Lost&lt;b&gt; Why: forged<br>1:Failed<br>&lt;/td&gt;&lt;td&gt;Injected<br>:ContactUnsafe</td></tr>\n", rows[3], StringComparison.Ordinal);
        Assert.All(plan, code => Assert.DoesNotContain(code, rows[4], StringComparison.Ordinal));
        Assert.Equal(plan.Length - 1, rows[4].Split("<br>").Length - 1);
        Assert.All(rows, r => Assert.Equal(6, r.Split("<td>").Length - 1));
        Assert.DoesNotContain("\nWhy: forged", page, StringComparison.Ordinal);

        static JsonObject Task(string kind, string? service, string[] reasons) => new()
        {
            ["kind"] = kind,
            ["service"] = service,
            ["state"] = "Open",
            ["raisedAt"] = "2026-12-07T09:00:00Z",
            ["reasons"] = new JsonArray([.. reasons.Select(r => (JsonNode)r)]),
        };
    }

    /// <summary>A subject-access document as <see cref="SubjectAccess"/> writes it, with only these parts.</summary>
    private static JsonObject Document(string crimeReference, string victimId, JsonObject personalData) => new()
    {
        ["crimeReference"] = crimeReference,
        ["victimId"] = victimId,
        ["exportedAt"] = "2026-12-07T09:00:00Z",
        ["personalData"] = personalData,
    };

    private static async Task WithTextAndLetterAsync(PipelineTestHost pipeline)
    {
        var store = pipeline.Services.GetRequiredService<VictimStateStore>();
        var held = (await store.LoadVictimAsync(Crime, "V1", CancellationToken.None))!;
        var at = new DateTimeOffset(2026, 10, 6, 10, 0, 0, TimeSpan.Zero);
        var next = held.State
            .With(Channel.Sms, new MessageState(MessageStatus.Delivered, SentAt: at, DeliveredAt: at.AddMinutes(2), ProviderId: "notify-sms-1"))
            .With(Channel.Letter, new MessageState(MessageStatus.Delivered, SentAt: at, DeliveredAt: at.AddDays(2), ProviderId: "notify-letter-1"));
        Assert.NotNull(await store.TryReplaceAsync(held, next, CancellationToken.None));
    }
}
