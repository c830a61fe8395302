using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>`referrals explain`, `subject-access`, `erase` and `purge --dry-run` against a pipeline on Azurite, as an operator runs them.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class PrivacyCommandTests(AzuriteFixture azurite)
{
    private const string Crime = "DB/26/000110";

    /// <summary>Crime 110, version 2: victim V2 (who declined, with no email) now accepts and gives a safe address.</summary>
    private static string Version2()
    {
        var next = JsonNode.Parse(Samples.Lines[9])!;
        next["crime"]!["version"] = 2;
        next["eventId"] = "evt-110-2";
        next["sentAt"] = "2026-10-06T09:00:00Z";
        next["victims"]![1]!["support"] = "Accepted";
        next["victims"]![1]!["email"] = "second.victim@example.org";
        next["victims"]![1]!["emailSafe"] = true;
        return next.ToJsonString();
    }

    [Fact]
    public async Task Explain_prints_the_victim_s_history_oldest_first_with_reasons_and_the_rules_version()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9]]);
        await pipeline.WaitUntilIdleAsync();

        var (exitCode, text) = await pipeline.CliAsync("explain", Crime, "V1");
        var (jsonExit, json) = await pipeline.CliAsync("explain", Crime, "V1", "--format", "json");

        Assert.Equal(0, exitCode);
        Assert.Contains("Crime DB/26/000110, victim V1:", text, StringComparison.Ordinal);
        Assert.Matches(@"Snapshot  crime version 1  event [^\n]+  rules referral-rules-v1\.1\+data-[0-9a-f]{16}", text);
        Assert.Contains("    referral status: AutoReferred", text, StringComparison.Ordinal);
        Assert.Contains("    because: ", text, StringComparison.Ordinal);
        Assert.Contains("    email: Sending → Sent", text, StringComparison.Ordinal);
        Assert.Contains("    delivery status: Sending → Delivered", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("Snapshot", StringComparison.Ordinal) < text.IndexOf("email: Queued → Sending", StringComparison.Ordinal));
        Assert.DoesNotContain("@example", text, StringComparison.Ordinal);
        Assert.Equal(0, jsonExit);
        Assert.Equal("Snapshot", JsonDocument.Parse(json).RootElement[0].GetProperty("action").GetString());
    }

    [Fact]
    public async Task Explain_for_an_unknown_victim_is_a_clear_error()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        var (exitCode, output) = await pipeline.CliAsync("explain", Crime, "V9");

        Assert.Equal(1, exitCode);
        Assert.Contains("no audit trail for crime DB/26/000110 victim V9", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subject_access_writes_everything_held_and_what_was_sent_and_is_itself_audited()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9]]);
        await pipeline.WaitUntilIdleAsync();
        var file = Path.Combine(Path.GetTempPath(), $"referrals-sar-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await pipeline.CliAsync("subject-access", Crime, "V1", "--out", file, "--operator", "sar.team@police.example");
        var (_, explained) = await pipeline.CliAsync("explain", Crime, "V1");
        var written = await File.ReadAllTextAsync(file);
        File.Delete(file);

        Assert.Equal(0, exitCode);
        Assert.Contains("Wrote everything held", output, StringComparison.Ordinal);
        var document = JsonNode.Parse(written)!;
        Assert.Equal("V1", document["personalData"]!["id"]!.GetValue<string>());
        Assert.NotNull(document["personalData"]!["givenName"]);
        Assert.Contains(document["messages"]!.AsArray(), m => m!["channel"]!.GetValue<string>() == "Email" && m["to"]!.GetValue<string>() == "Victim");
        Assert.Contains(document["referrals"]!.AsArray(), r => r!["what"]!.GetValue<string>() == "Referral" && r["service"]!.GetValue<string>() == "general");
        Assert.NotEmpty(document["decisions"]!.AsArray());
        Assert.NotEmpty(document["statistics"]!.AsArray());
        Assert.True(File.Exists(Path.ChangeExtension(file, ".html")));
        File.Delete(Path.ChangeExtension(file, ".html"));
        Assert.Contains("SubjectAccess", explained, StringComparison.Ordinal);
        Assert.Contains("by sar.team@police.example", explained, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_removes_the_victim_s_personal_data_and_no_later_snapshot_stores_or_messages_them()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9]]);
        await pipeline.WaitUntilIdleAsync();
        var deliveries = pipeline.Deliveries().Count;
        // GOV.UK Notify's refusal of a text message, as NotifyGateway records it, quoting what was sent.
        var row = (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == Crime && v.VictimId == "V2");
        row.Sms = """{"Status":"Failed","Reason":"Notify refused the message: 400 ValidationError: phone_number 07700 900999","Attempts":1}""";
        await pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable).UpdateEntityAsync(row, row.ETag);

        // Erasing tells the Victim Care Unit that the victim's tasks are withdrawn: a queue, so the real program with its settings.
        var (exitCode, output, _) = await pipeline.ProcessCliAsync("erase", Crime, "V2", "--reason", "erasure request ER-42", "--operator", "dpo@police.example");
        var erasedSnapshot = await SnapshotText(pipeline);
        await pipeline.SendAsync([Version2()]);
        await pipeline.WaitUntilIdleAsync();
        var (again, repeated, _) = await pipeline.ProcessCliAsync("erase", Crime, "V2", "--reason", "erasure request ER-42");
        var (_, explained) = await pipeline.CliAsync("explain", Crime, "V2");

        Assert.Equal(0, exitCode);
        Assert.Contains("Erased the personal data of crime DB/26/000110 victim V2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"V2\"", erasedSnapshot, StringComparison.Ordinal);
        Assert.Contains("\"V1\"", erasedSnapshot, StringComparison.Ordinal);
        var stored = await SnapshotText(pipeline);
        Assert.Contains("\"version\":2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("second.victim", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"V2\"", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(pipeline.EmailsAccepted(), e => e.Victim == "V2");
        // Nothing more for the victim, but the Victim Care Unit is told once that their task is withdrawn (ids only).
        var told = Assert.Single(pipeline.Deliveries().Skip(deliveries));
        Assert.Equal(nameof(Referrals.Forwarding.DeliveryKind.TaskWithdrawn), told.Kind);
        Assert.Equal(Referrals.Tasks.TaskWithdrawal.Erased, (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == Crime && v.VictimId == "V2").ToStored().State.Tasks.Tasks.Single().WithdrawnBecause);
        var v2 = (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == Crime && v.VictimId == "V2");
        Assert.Equal((1L, ReferralStatus.OptedOut, MessageStatus.Suppressed, nameof(MessageReason.Erased)), (v2.Version, v2.ReferralStatus, v2.EmailStatus, v2.EmailReason));
        Assert.DoesNotContain("07700 900999", v2.Sms, StringComparison.Ordinal);
        Assert.Contains("(the answer is not kept)", v2.Sms, StringComparison.Ordinal);
        Assert.Equal(2, (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == Crime && v.VictimId == "V1").Version);
        Assert.Equal(0, again);
        Assert.Contains("was erased before", repeated, StringComparison.Ordinal);
        Assert.Contains("Erase  by dpo@police.example", explained, StringComparison.Ordinal);
        Assert.Contains("because: erasure request ER-42", explained, StringComparison.Ordinal);
        Assert.Single(explained.Split('\n'), l => l.Contains("  Erase  ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Erase_deletes_whole_every_rejected_message_naming_the_crime_raw_or_broken_records_each_and_keeps_one_of_a_longer_reference()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9]]);
        await pipeline.WaitUntilIdleAsync();
        var version2 = Version2();
        // As the records system may send them: raw JSON (not Base64), broken JSON, and raw JSON of another crime whose reference starts with this one's.
        await pipeline.CrimeEventsRaw.SendMessageAsync(version2);
        await pipeline.SendAsync([version2[..(version2.IndexOf("second.victim", StringComparison.Ordinal) + 20)]]);
        await pipeline.CrimeEventsRaw.SendMessageAsync(version2.Replace(Crime, Crime + "1", StringComparison.Ordinal));
        await pipeline.WaitUntilIdleAsync();
        var rejected = await pipeline.Services.GetRequiredService<Referrals.Pipeline.DeadLetters.DeadLetterStore>().ListAsync(Referrals.Pipeline.DeadLetters.DeadLetterKind.Rejected, CancellationToken.None).ToListAsync();

        var (exitCode, _, error) = await pipeline.ProcessCliAsync("erase", Crime, "V2", "--reason", "erasure request ER-43", "--operator", "dpo@police.example");
        var left = await pipeline.Services.GetRequiredService<Referrals.Pipeline.DeadLetters.DeadLetterStore>().ListAsync(Referrals.Pipeline.DeadLetters.DeadLetterKind.Rejected, CancellationToken.None).ToListAsync();
        var (_, explained) = await pipeline.CliAsync("explain", Crime, "V2");

        Assert.True(exitCode == 0, error);
        Assert.Equal(3, rejected.Count);
        var kept = Assert.Single(left);
        Assert.Contains("\"DB/26/0001101\"", System.Text.Encoding.UTF8.GetString(kept.Message), StringComparison.Ordinal);
        Assert.Equal(2, explained.Split('\n').Count(l => l.Contains("dead letter deleted whole: rejected ", StringComparison.Ordinal)));
        Assert.DoesNotContain(kept.RowKey, explained, StringComparison.Ordinal);
        Assert.DoesNotContain("second.victim", explained, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_dry_run_counts_what_is_due_and_changes_nothing()
    {
        var time = new SettableTime(DateTimeOffset.UtcNow.AddDays(-40));
        await using var pipeline = new PipelineTestHost(azurite, time: time);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[9], Samples.Lines[12]]);
        await pipeline.WaitUntilIdleAsync();
        try
        {
            Environment.SetEnvironmentVariable("Retention__PersonalDataDays", "30");
            var (exitCode, output) = await pipeline.CliAsync("purge", "--dry-run");
            var (refused, _) = await pipeline.CliAsync("purge");

            Assert.Equal(0, exitCode);
            Assert.Contains("1 crime snapshot(s) past the personal-data period (3 victim(s))", output, StringComparison.Ordinal);
            Assert.Contains("0 dead letter(s)", output, StringComparison.Ordinal);
            Assert.Equal(2, refused);
            Assert.NotNull(await pipeline.Services.GetRequiredService<VictimStateStore>().LoadCrimeAsync(Crime, CancellationToken.None));
        }
        finally
        {
            Environment.SetEnvironmentVariable("Retention__PersonalDataDays", null);
        }
    }

    private static async Task<string> SnapshotText(PipelineTestHost pipeline) =>
        System.Text.Encoding.UTF8.GetString((await pipeline.Services.GetRequiredService<VictimStateStore>().LoadCrimeAsync(Crime, CancellationToken.None))!.Snapshot);
}
