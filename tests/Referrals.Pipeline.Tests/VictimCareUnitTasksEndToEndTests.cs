using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tasks;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The Victim Care Unit's tasks end to end on Azurite (rulebook 1.2 section 10), in two runs that each cover several
/// cases: crime 103's tasks withdrawn when moot and the Unit told once each; a consent the Unit records with
/// `referrals tasks close` referring the victim once, kept by a later snapshot repeating the old support and replaced by
/// one with a new decision; and `referrals run --storage` leaving its tasks for `referrals tasks` (real processes).
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class VictimCareUnitTasksEndToEndTests(AzuriteFixture azurite)
{
    private static readonly string[] Crime103 = [.. Samples.Lines.Where(l => l.Contains("\"DB/26/000103\"", StringComparison.Ordinal))];

    /// <summary>A domestic-abuse victim not yet asked, with an email confirmed safe: a ConsentRequest task and nothing else.</summary>
    private static string Consent(int version, string support, DateTimeOffset sentAt)
    {
        var line = JsonNode.Parse(Samples.Lines.First(l => l.Contains("\"DB/26/000113\"", StringComparison.Ordinal)))!;
        line["eventId"] = $"evt-901-{version}";
        line["sentAt"] = sentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        line["crime"]!["reference"] = "DB/26/000901";
        line["crime"]!["version"] = version;
        line["victims"]![0]!["support"] = support;
        line["victims"]![0]!["emailSafe"] = true;
        return line.ToJsonString();
    }

    [Fact]
    public async Task Moot_tasks_are_withdrawn_and_the_Unit_told_once_and_a_consent_the_Unit_records_acts_until_a_newer_decision()
    {
        await using var pipeline = new PipelineTestHost(azurite, receipts: true);
        await pipeline.StartAsync();

        // Crime 103: declined with no safe channel (a single-session offer and a ContactNeeded task), then accepted with a
        // safe email (ConvertedToYes: the offer is moot; the email is delivered: the ContactNeeded task is moot).
        await pipeline.SendAsync([Crime103[0], Consent(1, "NotAsked", new DateTimeOffset(2026, 10, 5, 9, 14, 0, TimeSpan.Zero))]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync([Crime103[1]]);
        await pipeline.WaitUntilIdleAsync();

        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        var v103 = (await states.LoadVictimAsync("DB/26/000103", "V1", CancellationToken.None))!.State;
        Assert.Equal(
            [(TaskKind.SingleSessionOffer, TaskState.Withdrawn, (TaskWithdrawal?)TaskWithdrawal.ConvertedToYes), (TaskKind.ContactNeeded, TaskState.Withdrawn, TaskWithdrawal.Informed)],
            v103.Tasks.Tasks.Select(t => (t.Kind, t.State, t.WithdrawnBecause)));
        var deliveries = await pipeline.DeliveryRowsAsync();
        foreach (var task in v103.Tasks.Tasks)
        {
            // Sent once when raised, and told once that it is withdrawn: each by the task's own delivery id.
            Assert.Equal([($"task-withdrawn:{task.Id}", DeliveryStatus.Delivered), ($"task:{task.Id}", DeliveryStatus.Delivered)],
                deliveries.Where(d => d.TaskId == task.Id).OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => (d.Id, d.Status)));
            Assert.Single(pipeline.Deliveries(), d => d.Id == $"task-withdrawn:{task.Id}" && d.Kind == nameof(DeliveryKind.TaskWithdrawn));
        }

        // Crime 901: the Unit records the victim's consent with the command (a real process), claimed first by someone else.
        var consent = Assert.Single((await states.LoadVictimAsync("DB/26/000901", "V1", CancellationToken.None))!.State.Tasks.Tasks);
        Assert.Equal(TaskKind.ConsentRequest, consent.Kind);
        // Two operators claiming at once: one wins, the other is told (optimistic concurrency on the victim's row).
        var desk = pipeline.Services.GetRequiredService<TaskDesk>();
        var race = await Task.WhenAll(desk.ClaimAsync(consent.Id, "kim", CancellationToken.None), desk.ClaimAsync(consent.Id, "lee", CancellationToken.None));
        var winner = Assert.Single(race, r => r.Outcome == TaskActionOutcome.Done).Task!.ClaimedBy!;
        Assert.Matches("^the task is claimed by (kim|lee): they release it, or close it$", Assert.Single(race, r => r.Outcome == TaskActionOutcome.Refused).Message);
        Assert.Equal(TaskActionOutcome.Done, (await desk.ReleaseAsync(consent.Id, winner, CancellationToken.None)).Outcome);

        var claim = await pipeline.ProcessCliAsync("tasks", "claim", consent.Id, "--operator", "alex");
        var refused = await pipeline.ProcessCliAsync("tasks", "close", consent.Id, "--outcome", "Consented", "--operator", "sam");
        var released = await pipeline.ProcessCliAsync("tasks", "release", consent.Id, "--operator", "alex");
        var closed = await pipeline.ProcessCliAsync("tasks", "close", consent.Id.ToLowerInvariant(), "--outcome", "Consented", "--operator", "sam");
        var again = await pipeline.ProcessCliAsync("tasks", "close", consent.Id, "--outcome", "Declined", "--operator", "alex");
        Assert.Equal((0, $"Task {consent.Id} claimed by alex."), (claim.ExitCode, claim.Stdout.Trim()));
        Assert.Equal((3, $"referrals tasks close: the task is claimed by alex: they close it, or release it first; nothing changed."), (refused.ExitCode, refused.Stderr.Trim()));
        Assert.Equal(0, released.ExitCode);
        Assert.Equal((0, $"Task {consent.Id} done: Consented."), (closed.ExitCode, closed.Stdout.Trim()));
        Assert.Equal((3, "referrals tasks close: the task is already done (Consented, by sam): done tasks never reopen; nothing changed."), (again.ExitCode, again.Stderr.Trim()));
        await pipeline.WaitUntilIdleAsync();

        var referred = (await states.LoadVictimAsync("DB/26/000901", "V1", CancellationToken.None))!.State;
        Assert.Equal((ReferralStatus.Referred, "sam"), (referred.ReferralStatus, referred.Consent!.UnitOperator));
        Assert.Equal(["general", "idva"], Referrals(await pipeline.DeliveryRowsAsync(), DeliveryKind.Referral));

        // A later snapshot repeating the old support (NotAsked) does not undo it; one sent after the Unit's decision with a new one does.
        await pipeline.SendAsync([Consent(2, "NotAsked", DateTimeOffset.UtcNow.AddMinutes(1))]);
        await pipeline.WaitUntilIdleAsync();
        var kept = (await states.LoadVictimAsync("DB/26/000901", "V1", CancellationToken.None))!.State;
        Assert.Equal((ReferralStatus.Referred, 2L), (kept.ReferralStatus, kept.Version));
        Assert.Equal(["general", "idva"], Referrals(await pipeline.DeliveryRowsAsync(), DeliveryKind.Referral));
        Assert.Empty(Referrals(await pipeline.DeliveryRowsAsync(), DeliveryKind.Withdrawal));

        await pipeline.SendAsync([Consent(3, "Declined", DateTimeOffset.UtcNow.AddMinutes(2))]);
        await pipeline.WaitUntilIdleAsync();
        var withdrawn = (await states.LoadVictimAsync("DB/26/000901", "V1", CancellationToken.None))!.State;
        Assert.Equal((ReferralStatus.Withdrawn, (DateTimeOffset?)null), (withdrawn.ReferralStatus, withdrawn.Consent!.UnitDecidedAt));
        Assert.Equal(["general", "idva"], Referrals(await pipeline.DeliveryRowsAsync(), DeliveryKind.Withdrawal));
        Assert.Single(pipeline.Deliveries(), d => d.Service == "general" && d.Kind == nameof(DeliveryKind.Referral) && d.Id.Contains("DB/26/000901", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_on_a_kept_account_leaves_its_tasks_and_the_tasks_commands_list_show_claim_release_and_close_them()
    {
        var outbox = Path.Combine(Path.GetTempPath(), $"referrals-outbox-{Guid.NewGuid():N}");
        var file = Path.Combine(Path.GetTempPath(), $"run-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, [.. Crime103, Samples.Lines.First(l => l.Contains("\"DB/26/000108\"", StringComparison.Ordinal))]);
        try
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            var run = await Cli.CliApp.InvokeAsync(["run", "--storage", azurite.ConnectionString, "--send", file, "--outbox", outbox, "--timeout", "60"],
                new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
            Assert.True(run == 0, output.ToString() + error);
            Assert.Matches(@"withdrawn: T\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4} ContactNeeded crime DB/26/000103 victim V1 \(Informed\)", output.ToString());
            Assert.Matches(@"withdrawn: T\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4} SingleSessionOffer crime DB/26/000103 victim V1 \(ConvertedToYes\)", output.ToString());

            var list = await CliProgram.RunAsync("tasks", "list", "--storage", azurite.ConnectionString);
            var ids = list.Stdout.Split('\n').Where(l => l.Contains("crime DB/26/000108 ", StringComparison.Ordinal)).ToDictionary(l => l.Split("  ")[1].Trim().Split(' ')[0], l => TaskId().Match(l).Value);
            Assert.Equal(0, list.ExitCode);
            Assert.Equal(["ConsentRequest", "ContactNeeded"], ids.Keys.Order(StringComparer.Ordinal));
            Assert.DoesNotContain("DB/26/000103", list.Stdout, StringComparison.Ordinal); // withdrawn: not work

            var id = ids["ContactNeeded"];
            var show = await CliProgram.RunAsync("tasks", "show", id, "--storage", azurite.ConnectionString);
            Assert.Equal(0, show.ExitCode);
            Assert.Contains($"Task: {id}\n", show.Stdout, StringComparison.Ordinal);
            Assert.Contains("Victim: \u201CSam Taylor\u201D\n", show.Stdout, StringComparison.Ordinal);
            Assert.Contains("Why: Email:NotConfirmedSafe, Sms:NoMobileNumber, Letter:NoPostalAddress\n", show.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("victim@example.org", show.Stdout, StringComparison.Ordinal); // not confirmed safe: never shown

            var claim = await CliProgram.RunAsync("tasks", "claim", id, "--operator", "alex", "--storage", azurite.ConnectionString);
            var claimed = await CliProgram.RunAsync("tasks", "list", "--kind", "ContactNeeded", "--storage", azurite.ConnectionString);
            var release = await CliProgram.RunAsync("tasks", "release", id, "--operator", "alex", "--storage", azurite.ConnectionString);
            var close = await CliProgram.RunAsync("tasks", "close", id, "--outcome", "NotReached", "--operator", "sam", "--storage", azurite.ConnectionString);
            var second = await CliProgram.RunAsync("tasks", "close", id, "--outcome", "InformedInPerson", "--operator", "sam", "--storage", azurite.ConnectionString);
            var after = await CliProgram.RunAsync("tasks", "list", "--all", "--storage", azurite.ConnectionString);

            Assert.Equal(0, claim.ExitCode);
            Assert.Contains("Claimed by alex", claimed.Stdout.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Equal((0, $"Task {id} released: open for anyone."), (release.ExitCode, release.Stdout.Trim()));
            Assert.Equal((0, $"Task {id} done: NotReached."), (close.ExitCode, close.Stdout.Trim()));
            Assert.Equal((3, "referrals tasks close: the task is already done (NotReached, by sam): done tasks never reopen; nothing changed."), (second.ExitCode, second.Stderr.Trim()));
            Assert.Contains("Done: NotReached", after.Stdout.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }
        }
    }

    private static List<string> Referrals(List<Forwarding.DeliveryEntity> rows, DeliveryKind kind) =>
        [.. rows.Where(d => d.CrimeReference == "DB/26/000901" && d.Kind == kind && d.Status == DeliveryStatus.Delivered).Select(d => d.ServiceId).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"T\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")]
    private static partial Regex TaskId();
}
