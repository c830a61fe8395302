using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Referrals.LocalHost;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;
using Xunit.Abstractions;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The OPCC's dashboard in a real browser: headless Chromium (Debian's), driven by playwright-core from npm
/// (tools/browser/dashboard-check.mjs, installed by the shared browser harness), on the samples served by the local host. The screenshot, the downloads and the
/// script's report are kept in out/browser/dashboard/ (CI uploads them).
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class DashboardBrowserTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task In_Chromium_every_figure_equals_the_endpoints_json_the_range_picker_and_downloads_work_and_axe_finds_nothing_serious()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        foreach (var wave in SnapshotSender.Waves(Samples.Lines))
        {
            // As `referrals run` sends them: a crime's later snapshots after its earlier ones are processed.
            await pipeline.SendAsync(wave.Select(w => w.Line));
            await pipeline.WaitUntilIdleAsync();
        }

        await ReportOutcomesAsync(pipeline);
        await pipeline.TalliesAsync(new Month(2026, 10), new Month(2026, 11), new Month(2026, 12));
        await using var server = await new LocalTalliesServer(pipeline.Services.GetRequiredService<TalliesEndpoint>(), pipeline.Services.GetRequiredService<DashboardEndpoint>()).StartAsync();
        var artifacts = Browser.BrowserHarness.ArtifactsFolder("dashboard");

        var (exitCode, report) = await DashboardCheck.RunAsync(server.DashboardUrl, artifacts);
        output.WriteLine(report);

        Assert.True(exitCode == 0, report);
        Assert.True(File.Exists(Path.Combine(artifacts, "dashboard-1280.png")) && File.Exists(Path.Combine(artifacts, "dashboard-320.png")), "the screenshots at both widths are kept");
        Assert.Contains("\"checked\"", report, StringComparison.Ordinal);
    }

    /// <summary>
    /// The services report on the referrals they received this month, as a service would (rulebook section 11), so the
    /// page's funnel has something to show: in turn, contacted and accepted; could not contact (no response); acknowledged only; nothing.
    /// </summary>
    private static async Task ReportOutcomesAsync(PipelineTestHost pipeline)
    {
        var index = pipeline.Services.GetRequiredService<Indexes.MonthIndex>();
        var deliveries = pipeline.Services.GetRequiredService<Forwarding.DeliveryStore>();
        var desk = pipeline.Services.GetRequiredService<Outcomes.OutcomeDesk>();
        await pipeline.Services.GetRequiredService<Indexes.IndexOutbox>().DrainAsync(CancellationToken.None); // the deliveries' index rows, as the recount would
        var now = DateTimeOffset.UtcNow;
        var n = 0;
        var reported = 0;
        await foreach (var row in index.DeliveredAsync(Month.Of(now), null, CancellationToken.None))
        {
            if (row.GetString("Kind") != "Referral"
                || await deliveries.GetAsync(Referrals.Forwarding.DeliveryKind.Referral, row.GetString("CrimeReference")!, row.GetString("VictimId")!, row.GetString("ServiceId")!, CancellationToken.None) is not { State.PublicId: { } id })
            {
                continue;
            }

            var script = (n++ % 4) switch
            {
                0 => new[] { (Referrals.Outcomes.ServiceStatus.Received, (Referrals.Outcomes.CouldNotContactReason?)null), (Referrals.Outcomes.ServiceStatus.ContactAttempted, null), (Referrals.Outcomes.ServiceStatus.Contacted, null), (Referrals.Outcomes.ServiceStatus.SupportAccepted, null) },
                1 => [(Referrals.Outcomes.ServiceStatus.Received, null), (Referrals.Outcomes.ServiceStatus.ContactAttempted, null), (Referrals.Outcomes.ServiceStatus.CouldNotContact, Referrals.Outcomes.CouldNotContactReason.NoResponse)],
                2 => [(Referrals.Outcomes.ServiceStatus.Received, null)],
                _ => [],
            };
            foreach (var (status, reason) in script)
            {
                var result = await desk.ReportAsync(id, null, new Referrals.Outcomes.OutcomeReport(status, reason, now), "test", dryRun: false, CancellationToken.None);
                if (result.Effect != Referrals.Outcomes.ReportEffect.Applied)
                {
                    Assert.Equal(Referrals.Outcomes.OutcomeRules.WithdrawnOnlyClosed, result.Rule); // a withdrawn referral takes only Closed
                    break;
                }

                reported++;
            }
        }

        Assert.True(reported > 8, $"only {reported} reports were applied to the referrals delivered this month");
    }
}

/// <summary>Runs tools/browser/dashboard-check.mjs with node; the harness (<see cref="Browser.BrowserHarness"/>) installs Chromium and the npm packages first.</summary>
internal static class DashboardCheck
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string url, string artifacts)
    {
        var chromium = await Browser.BrowserHarness.EnsureInstalledAsync();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Browser.BrowserHarness.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(Browser.BrowserHarness.ToolFolder, "dashboard-check.mjs"), "--url", url, "--out", artifacts, "--chromium", chromium })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dashboard-check.mjs did not finish in 3 minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
