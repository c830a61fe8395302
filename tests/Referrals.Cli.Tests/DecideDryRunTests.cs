using System.Text;
using System.Text.Json;
using MimeKit;
using Referrals.Calendar;
using Referrals.Emails;
using Referrals.Rules;

namespace Referrals.Cli.Tests;

/// <summary>The dry run in process: a failure on one line, wherever it happens, is a rejected line.</summary>
public class DecideDryRunTests
{
    [Fact]
    public async Task A_line_whose_email_cannot_be_composed_is_rejected_and_the_run_goes_on()
    {
        var services = ServiceDirectory.LoadDefault();
        var rules = new ReferralRules(new OffenceClassifier(OffenceCodeList.LoadDefault()), services, new WorkingDayCalendar());
        // A composer that does not know the service the rules refer to: composing throws for every emailed victim.
        var broken = new ServiceDirectory([.. services.Services.Where(s => s.Id != "general")], services.VictimCareUnit);
        var run = new DryRun(rules, new EntitlementEmailComposer(EmailTemplates.LoadDefault(), broken, Referrals.Messages.ForceIdentity.Example), MailboxAddress.Parse("vcu@police.example"));
        var samples = await File.ReadAllLinesAsync(CliProcess.SamplesPath);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(samples[0] + "\n" + samples[2] + "\n"));
        using var output = new MemoryStream();
        var folder = Path.Combine(Path.GetTempPath(), $"referrals-{Guid.NewGuid():N}");

        var summary = await run.RunAsync(input, output, folder, CancellationToken.None);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.True(lines[0].GetProperty("rejected").GetBoolean());
        Assert.StartsWith("line 1: the snapshot could not be decided (", lines[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("DB/26/000103", lines[1].GetProperty("crimeReference").GetString());
        Assert.Equal((1, 1), (summary.Rejected, summary.Snapshots));
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), "no email of the rejected line is written");
    }

    /// <summary>
    /// Issue 18: the dry run shows the plan falling through, up front, past a channel GOV.UK Notify would refuse, with
    /// the rule in the reasons and never the value.
    /// </summary>
    [Fact]
    public async Task The_dry_run_shows_the_plan_falling_through_past_a_number_or_address_Notify_would_refuse()
    {
        var services = ServiceDirectory.LoadDefault();
        var rules = new ReferralRules(new OffenceClassifier(OffenceCodeList.LoadDefault()), services, new WorkingDayCalendar());
        var run = new DryRun(rules, new EntitlementEmailComposer(EmailTemplates.LoadDefault(), services, Referrals.Messages.ForceIdentity.Example), MailboxAddress.Parse("vcu@police.example"));
        static string Snapshot(string id, string contact) =>
            $$$"""{"schemaVersion": 1, "eventId": "{{{id}}}", "sentAt": "2026-10-05T09:14:00Z", "crime": {"reference": "DB/26/0009{{{id}}}", "version": 1, "recordedAt": "2026-10-05T08:50:00+01:00", "offence": {"homeOfficeCode": "28E"}}, "victims": [{"id": "V1", "givenName": "Sam", "familyName": "Taylor", "support": "NotAsked", {{{contact}}}}]}""";
        var input = string.Join("\n",
            Snapshot("01", "\"phone\": \"07044 123456\", \"phoneSafe\": true, \"address\": {\"lines\": [\"Unit 5\"], \"postcode\": \"BFPO 105\"}, \"addressSafe\": true"),
            Snapshot("02", "\"phone\": \"(07700) 900123\", \"phoneSafe\": true"),
            Snapshot("03", "\"phone\": \"07623 123456\", \"phoneSafe\": true, \"address\": {\"lines\": [\"No fixed abode\", \"Matlock\"], \"postcode\": \"DE4 3AG\"}, \"addressSafe\": true"));
        using var output = new MemoryStream();

        await run.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(input + "\n")), output, null, CancellationToken.None);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        static string? Channel(JsonElement line) => line.GetProperty("contact").GetProperty("channel").GetString();
        static string Reasons(JsonElement line) => string.Join("\n", line.GetProperty("contact").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        Assert.Equal("Letter", Channel(lines[0]));
        Assert.Contains("no text message (NoMobileNumber): victim's phone number cannot get a text message through GOV.UK Notify: it is a 070 personal number", Reasons(lines[0]), StringComparison.Ordinal);
        Assert.Equal("Sms", Channel(lines[1]));
        Assert.Null(Channel(lines[2]));
        Assert.True(lines[2].GetProperty("contact").GetProperty("contactNeeded").GetBoolean());
        Assert.Contains("a 076 pager is not texted either", Reasons(lines[2]), StringComparison.Ordinal);
        Assert.Contains("GOV.UK Notify would not print it: it says no fixed abode", Reasons(lines[2]), StringComparison.Ordinal);
        var shown = string.Join("\n", lines.Select(l => l.GetRawText()));
        Assert.Contains("\"reason\":\"NoMobileNumber\"", shown, StringComparison.Ordinal);
        foreach (var value in new[] { "07044", "123456", "Unit 5", "Matlock", "DE4 3AG", "07623" })
        {
            Assert.DoesNotContain(value, shown, StringComparison.Ordinal);
        }
    }
}
