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
/// (tools/browser/dashboard-check.mjs), on the samples served by the local host. The screenshot, the downloads and the
/// script's report are kept in out/browser/dashboard/ (CI uploads them).
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class DashboardBrowserTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task In_Chromium_every_figure_equals_the_endpoints_json_the_range_picker_and_downloads_work_and_axe_finds_nothing_serious()
    {
        var repository = BrowserTools.Repository();
        await BrowserTools.EnsureInstalledAsync(repository);
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        foreach (var wave in SnapshotSender.Waves(Samples.Lines))
        {
            // As `referrals run` sends them: a crime's later snapshots after its earlier ones are processed.
            await pipeline.SendAsync(wave.Select(w => w.Line));
            await pipeline.WaitUntilIdleAsync();
        }

        await pipeline.TalliesAsync(new Month(2026, 10), new Month(2026, 11), new Month(2026, 12));
        await using var server = new LocalTalliesServer(pipeline.Services.GetRequiredService<TalliesEndpoint>(), pipeline.Services.GetRequiredService<DashboardEndpoint>()).Start();
        var artifacts = Path.Combine(repository, "out", "browser", "dashboard");

        var (exitCode, report) = await BrowserTools.RunAsync(repository, "dashboard-check.mjs", ["--url", server.DashboardUrl, "--out", artifacts]);
        output.WriteLine(report);

        Assert.True(exitCode == 0, report);
        Assert.True(File.Exists(Path.Combine(artifacts, "dashboard.png")), "the screenshot is kept");
        Assert.Contains("\"checked\"", report, StringComparison.Ordinal);
    }
}

/// <summary>
/// The browser harness's prerequisites: a Chromium (CHROMIUM_PATH, Debian's /usr/bin/chromium, or the Google Chrome
/// of CI's runners), installed from Debian's packages when there is none (as root, or with passwordless sudo), and
/// tools/browser's npm packages from its lockfile.
/// </summary>
internal static class BrowserTools
{
    public static string Chromium =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists) ?? "/usr/bin/chromium";

    public static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Referrals.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository (Referrals.sln) was not found above the test's folder.");
    }

    public static async Task EnsureInstalledAsync(string repository)
    {
        if (!File.Exists(Chromium))
        {
            var (file, prefix) = Environment.UserName == "root" ? ("apt-get", Array.Empty<string>()) : ("sudo", ["-n", "apt-get"]);
            await RunToEndAsync(file, [.. prefix, "update"], repository);
            await RunToEndAsync(file, [.. prefix, "install", "-y", "--no-install-recommends", "chromium"], repository);
            Assert.True(File.Exists(Chromium), "Chromium was not installed: install Debian's chromium (apt-get install -y chromium).");
        }

        if (!Directory.Exists(Path.Combine(repository, "tools", "browser", "node_modules", "playwright-core")))
        {
            await RunToEndAsync("npm", ["ci", "--prefix", Path.Combine("tools", "browser"), "--no-audit", "--no-fund", "--loglevel=error"], repository);
        }
    }

    /// <summary>Runs a script of tools/browser with node: (exit code, standard output and error).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string repository, string script, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine("tools", "browser", script));
        args.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["CHROMIUM_PATH"] = Chromium;
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
            throw new TimeoutException($"{script} did not finish in 3 minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task RunToEndAsync(string file, string[] args, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {await stdout}{await stderr}");
    }
}
