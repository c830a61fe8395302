using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// `referrals outcomes record` and `import` on a kept account (`referrals run --storage`), as real processes, in one run
/// covering several cases (rulebook 1.2 section 11), for a referral the ISVA service received by secure email (its
/// stand-in reports nothing: the Unit imports its file): a file with a bad line applies nothing and names each bad line
/// by its number and rule, never its value; --dry-run changes nothing; an import records each report once and raises one
/// ServiceCouldNotContact task; importing the same file again changes nothing; a file from another service is refused.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class OutcomesCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Record_and_import_on_a_kept_account_all_or_nothing_dry_run_and_idempotent()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"referrals-outcomes-{Guid.NewGuid():N}");
        var (outbox, file, csv) = (Path.Combine(folder, "outbox"), Path.Combine(folder, "run.jsonl"), Path.Combine(folder, "outcomes.csv"));
        Directory.CreateDirectory(folder);
        // Crime 103's second snapshot as a crime of its own (the account is shared): a victim of a sexual offence who accepts.
        var line = JsonNode.Parse(Samples.Lines.Last(l => l.Contains("\"DB/26/000103\"", StringComparison.Ordinal)))!;
        (line["eventId"], line["crime"]!["reference"], line["crime"]!["version"]) = ("evt-927-1", "DB/26/000927", 1);
        // And crime 106's child victim, with no usable contact, as a crime of its own: the general service's stand-in reports
        // by the API that it could not contact them (WrongDetails), and the run's summary shows it and the task.
        var unreachable = JsonNode.Parse(Samples.Lines.First(l => l.Contains("\"DB/26/000106\"", StringComparison.Ordinal)))!;
        (unreachable["eventId"], unreachable["crime"]!["reference"]) = ("evt-928-1", "DB/26/000928");
        await File.WriteAllLinesAsync(file, [line.ToJsonString(), unreachable.ToJsonString()]);
        try
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            var run = await Cli.CliApp.InvokeAsync(["run", "--storage", azurite.ConnectionString, "--send", file, "--outbox", outbox, "--timeout", "60"],
                new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
            Assert.True(run == 0, output.ToString() + error);
            Assert.Matches(@"\n  general +.*CouldNotContact:WrongDetails \d", output.ToString());
            Assert.Matches(@"\n  ServiceCouldNotContact +Open \d", output.ToString());
            Assert.Contains("outcome API", output.ToString(), StringComparison.Ordinal);
            var id = Directory.GetFiles(Path.Combine(outbox, "services")).Select(File.ReadAllText)
                .Where(e => e.Contains("Service: isva", StringComparison.Ordinal)).Select(e => PublicId().Match(e).Groups[1].Value).Single();
            Assert.Matches("^R(-[0-9A-Z]{5}){5}$", id);

            // One bad line: nothing applied, each bad line by number and rule, the value never quoted.
            await File.WriteAllBytesAsync(csv, Excel($"{id},Received,,05/10/2026 10:00", "R-SECRE-TNAME-00000-00000-00000,Received,,05/10/2026 10:00", $"{id},Phoned,,05/10/2026 10:00"));
            var bad = await Outcomes("import", csv, "--service", "isva");
            Assert.Equal(3, bad.ExitCode);
            Assert.Equal(["line 3: UnknownReferral: no referral of this service has this id", "line 4: UnknownStatus: the status is not one of rulebook section 11", "referrals outcomes import: 2 bad line(s); nothing applied."],
                bad.Stderr.Trim().Split('\n').Select(l => l.TrimEnd('\r')));
            Assert.DoesNotContain("SECRE", bad.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Phoned", bad.Stderr, StringComparison.Ordinal);

            await File.WriteAllBytesAsync(csv, Excel($"{id},Received,,05/10/2026 10:00", $"{id},ContactAttempted,,2026-10-06T09:00:00+01:00", $"{id},CouldNotContact,WrongDetails,06/10/2026 15:30"));
            var dry = await Outcomes("import", csv, "--service", "isva", "--dry-run");
            Assert.Equal((0, "Dry run: 3 would be recorded, 0 already recorded, 0 ignored (erased); nothing changed."), (dry.ExitCode, dry.Stdout.Trim().Split('\n')[^1]));
            var other = await Outcomes("import", csv, "--service", "general");
            Assert.Equal(3, other.ExitCode);
            Assert.Contains("line 2: UnknownReferral", other.Stderr, StringComparison.Ordinal);

            var import = await Outcomes("import", csv, "--service", "isva");
            var again = await Outcomes("import", csv, "--service", "isva");
            var record = await Outcomes("record", id, "CouldNotContact", "--at", "2026-10-06T15:30:00Z");
            var contacted = await Outcomes("record", id.ToLowerInvariant(), "ContactUnsafe");
            var tasks = await CliProgram.RunAsync("tasks", "list", "--kind", "ServiceCouldNotContact", "--storage", azurite.ConnectionString);

            Assert.Equal((0, "3 recorded, 0 already recorded, 0 ignored (erased)."), (import.ExitCode, import.Stdout.Trim().Split('\n')[^1]));
            Assert.Equal((0, "0 recorded, 3 already recorded, 0 ignored (erased)."), (again.ExitCode, again.Stdout.Trim().Split('\n')[^1]));
            Assert.Equal((3, "referrals outcomes record: ReasonRequired: CouldNotContact needs a reason, WrongDetails or NoResponse; nothing changed."), (record.ExitCode, record.Stderr.Trim()));
            Assert.Equal((0, $"Recorded: {id.ToLowerInvariant()} ContactUnsafe; current status ContactUnsafe."), (contacted.ExitCode, contacted.Stdout.Trim()));
            var task = Assert.Single(tasks.Stdout.Split('\n'), l => l.Contains("ServiceCouldNotContact", StringComparison.Ordinal) && l.Contains("DB/26/000927", StringComparison.Ordinal));
            Assert.Contains("crime DB/26/000927 victim V1 service isva", task, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Outcomes(params string[] args) =>
        CliProgram.RunAsync(["outcomes", .. args, "--operator", "alex", "--storage", azurite.ConnectionString]);

    /// <summary>As Excel saves "CSV UTF-8": a BOM and CRLF line ends.</summary>
    private static byte[] Excel(params string[] lines) =>
        [.. "\uFEFF"u8, .. Encoding.UTF8.GetBytes(string.Join("\r\n", ["referral_id,status,reason,at", .. lines]) + "\r\n")];

    [GeneratedRegex(@"Referral id for outcomes: (R(-[0-9A-Z]{5}){5})\r?\n")]
    private static partial Regex PublicId();
}
