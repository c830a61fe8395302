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

        await pipeline.TalliesAsync(new Month(2026, 10), new Month(2026, 11), new Month(2026, 12));
        await using var server = await new LocalTalliesServer(pipeline.Services.GetRequiredService<TalliesEndpoint>(), pipeline.Services.GetRequiredService<DashboardEndpoint>()).StartAsync();
        var artifacts = Browser.BrowserHarness.ArtifactsFolder("dashboard");

        var (exitCode, report) = await DashboardCheck.RunAsync(server.DashboardUrl, artifacts);
        output.WriteLine(report);

        Assert.True(exitCode == 0, report);
        Assert.True(File.Exists(Path.Combine(artifacts, "dashboard.png")), "the screenshot is kept");
        Assert.Contains("\"checked\"", report, StringComparison.Ordinal);
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
