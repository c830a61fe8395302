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
}
