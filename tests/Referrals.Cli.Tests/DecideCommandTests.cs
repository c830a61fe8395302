using System.Text.Json;
using MimeKit;

namespace Referrals.Cli.Tests;

/// <summary>`referrals decide` end to end, through the real program.</summary>
public class DecideCommandTests
{
    [Fact]
    public async Task Decide_writes_one_line_per_victim_and_one_per_bad_line()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "decide", CliProcess.SamplesPath);

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(25 + 3, lines.Length);
        Assert.Equal(3, lines.Count(l => l.Contains("\"rejected\":true", StringComparison.Ordinal)));
        Assert.Contains("26 lines, 23 snapshots, 25 victim decisions, 3 rejected", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_output_has_exactly_the_rulebook_format()
    {
        var (_, stdout, _) = await CliProcess.RunAsync(null, "decide", CliProcess.SamplesPath);
        var first = stdout.Split('\n')[0];

        Assert.Equal(
            """{"eventId":"4063e9bc-07fd-5efe-b2b6-1a2bcc895d7f","crimeReference":"DB/26/000101","victimId":"V1","categories":[],"pathway":"OptOut","referral":"AutoReferred","services":["general"],"eligibleServices":["general"],"singleSessionOffer":false,"enhancedRights":false,"email":{"send":true,"recipient":"Victim","reason":null},"contact":{"channel":"Email","recipient":"Victim","plan":[{"channel":"Email","safe":true,"reason":null},{"channel":"Sms","safe":false,"reason":"NoMobileNumber"},{"channel":"Letter","safe":false,"reason":"NoPostalAddress"}],"contactNeeded":false,"reasons":["entitlement email to the victim","no text message (NoMobileNumber): victim has no mobile number","no letter (NoPostalAddress): victim has no postal address","entitlement information by email"]},"held":false,"referralDueBy":"2026-10-07","reasons":["offence 28E (Burglary Residential) is classified, in no special category","no consent criterion applies: opt-out pathway","support NotAsked on the opt-out pathway: referred automatically to general","standard rights: no enhanced-rights criterion applies","entitlement email to the victim"]}""",
            first);
    }

    [Fact]
    public async Task Decide_reads_standard_input_and_goes_on_after_a_bad_line()
    {
        var samples = await File.ReadAllLinesAsync(CliProcess.SamplesPath);
        var input = string.Join("\r\n", "{not json", "", samples[0], "   ", samples[1]) + "\r\n";

        var (exitCode, stdout, _) = await CliProcess.RunAsync(input, "decide", "-");

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.True(lines[0].GetProperty("rejected").GetBoolean());
        Assert.StartsWith("line 1: message is not valid JSON", lines[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("eventId").ValueKind);
        Assert.Equal("DB/26/000101", lines[1].GetProperty("crimeReference").GetString());
        Assert.Equal("DB/26/000102", lines[2].GetProperty("crimeReference").GetString());
    }

    [Fact]
    public async Task A_line_over_the_size_limit_is_rejected_with_its_size_and_the_next_line_is_read()
    {
        var samples = await File.ReadAllLinesAsync(CliProcess.SamplesPath);
        var input = new string(' ', 300_000) + "{}\n" + samples[0] + "\n";

        var (exitCode, stdout, _) = await CliProcess.RunAsync(input, "decide", "-");

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("line 1: message is 300,002 bytes", lines[0], StringComparison.Ordinal);
        Assert.Contains("DB/26/000101", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error_with_exit_code_1()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "decide", "no-such-file.jsonl");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("no-such-file.jsonl", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_services_directory_stops_the_run_naming_the_entry()
    {
        var path = Path.Combine(Path.GetTempPath(), $"services-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{ "victimCareUnit": { "name": "VCU", "referral": { "channel": "Email", "address": "vcu@police.example" } }, "services": [ { "id": "general", "name": "X", "eligibleWhen": ["Everyone"], "selfReferral": { "phone": "1" } } ] }""");
        try
        {
            var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "decide", CliProcess.SamplesPath, "--services", path);
            Assert.Equal(1, exitCode);
            Assert.Contains("services[0] (general): eligibleWhen", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Help_explains_the_command()
    {
        var (exitCode, stdout, _) = await CliProcess.RunAsync(null, "decide", "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "FILE", "--emails", "--services", "--offence-codes", "--templates", "rejected", "Exit code" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Emails_option_writes_a_reviewable_eml_per_email_sent_and_none_while_a_crime_is_held()
    {
        using var folder = new TempFolder();

        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "decide", CliProcess.SamplesPath, "--emails", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains("14 emails written", stderr, StringComparison.Ordinal);
        var files = Directory.GetFiles(folder.Path, "*.eml");
        Assert.Equal(13, files.Length); // one per victim and crime version: the duplicate sample rewrites its file
        // The held crime's first version sends nothing; its next version, which lifts the hold, emails the victim.
        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("DB-26-000115_v1_", StringComparison.Ordinal));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("DB-26-000115_v2_", StringComparison.Ordinal));
        using var message = await MimeMessage.LoadAsync(files.Single(f => Path.GetFileName(f).StartsWith("DB-26-000106_", StringComparison.Ordinal)));
        Assert.Equal("parent@example.org", message.To.Mailboxes.Single().Address);
        Assert.Contains("DB/26/000106", message.Subject, StringComparison.Ordinal);
        Assert.Contains("Dear Jo Taylor", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Dear Jo Taylor", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emails_option_writes_every_channels_message_with_names_that_are_the_same_in_every_run()
    {
        const string Snapshot = """
            {"schemaVersion": 1, "eventId": "a1", "sentAt": "2026-10-05T09:14:00Z", "crime": {"reference": "DB/26/000201", "version": 2, "recordedAt": "2026-10-05T08:50:00+01:00", "offence": {"homeOfficeCode": "28E", "description": ""}, "flags": []}, "victims": [{"id": "V1", "givenName": "Sam", "familyName": "Taylor", "support": "NotAsked", "email": "victim@example.org", "phone": "07700 900123", "address": {"lines": ["1 Example Street", "Exampleton"], "postcode": "DE4 3AG"}}, {"id": "V2", "givenName": "Sian", "familyName": "Jones", "preferredLanguage": "cy", "support": "NotAsked", "phone": "07700 900124", "phoneSafe": false}]}
            """;
        using var first = new TempFolder();
        using var second = new TempFolder();

        var (exitCode, _, stderr) = await CliProcess.RunAsync(Snapshot + "\n", "decide", "-", "--emails", first.Path);
        await CliProcess.RunAsync(Snapshot + "\n", "decide", "-", "--emails", second.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains("1 emails written, 1 text messages written, 1 letters written", stderr, StringComparison.Ordinal);
        string[] names = ["DB-26-000201_v2_V1_902fb158_email.eml", "DB-26-000201_v2_V1_902fb158_letter.html", "DB-26-000201_v2_V1_902fb158_text.txt"];
        Assert.Equal(names, Directory.GetFiles(first.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in names)
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(first.Path, name)), await File.ReadAllTextAsync(Path.Combine(second.Path, name)));
        }

        Assert.StartsWith("Example Constabulary: crime ref DB/26/000201. If you are in danger, call 999.", await File.ReadAllTextAsync(Path.Combine(first.Path, names[2])), StringComparison.Ordinal);
        Assert.Contains("<li>Victim Services: phone 0808 157 0101", await File.ReadAllTextAsync(Path.Combine(first.Path, names[1])), StringComparison.Ordinal);
        var email = await File.ReadAllTextAsync(Path.Combine(first.Path, names[0]));
        Assert.Contains("\nContent-Language: en\n", email, StringComparison.Ordinal);
        Assert.Contains("Content-Transfer-Encoding: quoted-printable", email, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_names_are_encoded_in_the_eml_files()
    {
        var samples = await File.ReadAllLinesAsync(CliProcess.SamplesPath);
        var hostile = samples[0]
            .Replace("\"givenName\": \"Sam\"", "\"givenName\": \"<script>alert('x')</script>\"", StringComparison.Ordinal)
            .Replace("\"familyName\": \"Taylor\"", "\"familyName\": \"\\\"><img src=x onerror=alert(1)>\"", StringComparison.Ordinal);
        Assert.NotEqual(samples[0], hostile);
        using var folder = new TempFolder();

        var (exitCode, _, _) = await CliProcess.RunAsync(hostile + "\n", "decide", "-", "--emails", folder.Path);

        Assert.Equal(0, exitCode);
        using var message = await MimeMessage.LoadAsync(Directory.GetFiles(folder.Path, "*.eml").Single());
        Assert.DoesNotContain("<script", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_over_every_class_of_hostile_line_exits_0_with_an_output_line_per_input_line_and_no_stack_trace()
    {
        var corpus = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "hostile", "crime-events-hostile.jsonl"));
        var samples = await File.ReadAllLinesAsync(CliProcess.SamplesPath);
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var path = Path.Combine(folder.Path, "hostile.jsonl");
        await using (var file = File.Create(path))
        {
            foreach (var line in corpus)
            {
                await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
            }

            // Lines that cannot carry an expectation: invalid UTF-8, broken JSON, binary, a line far over the limit.
            await file.WriteAsync((byte[])[.. System.Text.Encoding.UTF8.GetBytes(samples[0][..80]), 0xC3, 0x28, .. System.Text.Encoding.UTF8.GetBytes(samples[0][80..] + "\r\n")]);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(samples[0][..200] + "\n"));
            await file.WriteAsync((byte[])[.. Enumerable.Range(0, 300).Select(i => (byte)(((i * 37) % 255) + 1)).Where(b => b != (byte)'\n'), (byte)'\n']);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(new string('x', 200_000) + "\n"));
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(samples[0] + "\n"));
        }

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "decide", path, "--emails", Path.Combine(folder.Path, "emails"));

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
        var output = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(corpus.Length + 5, output.Count);
        Assert.Equal("DB/26/000101", output[^1].GetProperty("crimeReference").GetString());
        for (var i = 0; i < corpus.Length; i++)
        {
            var expect = JsonDocument.Parse(corpus[i]).RootElement;
            var rejected = output[i].TryGetProperty("rejected", out _);
            Assert.Equal(expect.GetProperty("_expect").GetString() == "rejected", rejected);
            if (rejected && expect.TryGetProperty("_field", out var field))
            {
                Assert.Contains(field.GetString()!, output[i].GetProperty("reason").GetString(), StringComparison.Ordinal);
            }

            if (rejected && expect.TryGetProperty("_secret", out var secret))
            {
                Assert.DoesNotContain(secret.GetString()!, output[i].GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.All(output.Skip(corpus.Length).Take(4), line => Assert.True(line.GetProperty("rejected").GetBoolean()));
    }

    [Fact]
    public async Task Decide_with_a_from_that_is_not_an_address_is_a_usage_error_before_any_output()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "decide", "--from", "garbage<<", CliProcess.SamplesPath);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.StartsWith("referrals decide: --from 'garbage<<' is not an email address", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_with_emails_naming_a_file_is_a_usage_error_before_any_output()
    {
        var notAFolder = Path.GetTempFileName();
        try
        {
            var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "decide", "--emails", notAFolder, CliProcess.SamplesPath);

            Assert.Equal(2, exitCode);
            Assert.Empty(stdout);
            Assert.Equal($"referrals decide: --emails {notAFolder} is not a folder: {notAFolder} is a file.", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            File.Delete(notAFolder);
        }
    }
}
