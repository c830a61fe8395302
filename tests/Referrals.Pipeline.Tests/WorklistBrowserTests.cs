using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Functions;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Tasks;
using Referrals.Privacy;
using Referrals.StandIns;
using Xunit.Abstractions;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The Victim Care Unit's worklist in a real browser: headless Chromium (Debian's), driven by playwright-core
/// (tools/browser/worklist-check.mjs), against the Functions app's own ServeWorklist function with App Service
/// authentication on. A loopback server hands each browser request to the function as the worker would, and the browser
/// sends the client-principal header App Service authentication would pass on for an operator with the VictimCareUnit
/// role. Claim, release and close from the keyboard, with JavaScript and without; axe-core at 320 and 1280 px; the audit
/// trail records each action in the operator's name. Screenshots in out/browser/worklist/.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class WorklistBrowserTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task In_Chromium_an_operator_claims_releases_and_closes_tasks_with_and_without_JavaScript_axe_finds_nothing_serious_and_the_audit_trail_records_each()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = "True" });
        foreach (var line in new[] { Samples.Lines.First(l => l.Contains("\"DB/26/000103\"", StringComparison.Ordinal)), WorklistTests.HostileConsentRequest() })
        {
            await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(line));
        }

        await using var server = await LoopbackServer.StartAsync(context => ServeAsync(app, context));
        var artifacts = Browser.BrowserHarness.ArtifactsFolder("worklist");
        var chromium = await Browser.BrowserHarness.EnsureInstalledAsync();
        var (exitCode, text) = await RunAsync(chromium, $"{server.Url}/api/worklist", artifacts,
            WorklistTests.Principal("A. Patel", "aaaaaaaa-0000-0000-0000-000000000001", "VictimCareUnit").Item2,
            WorklistTests.Principal("C. Analyst", "cccccccc-0000-0000-0000-000000000003", "Tallies.Read").Item2);
        output.WriteLine(text);
        Assert.True(exitCode == 0, text);

        using var report = JsonDocument.Parse(text);
        var root = report.RootElement;
        Assert.Equal(3, root.GetProperty("tasksAtStart").GetArrayLength());
        Assert.Single(root.GetProperty("tasksAtEnd").EnumerateArray());
        Assert.Equal([1280, 320], root.GetProperty("widths").EnumerateArray().Select(w => w.GetProperty("width").GetInt32()));
        Assert.All(root.GetProperty("screenshots").EnumerateArray(), s => Assert.True(File.Exists(s.GetString()), s.GetString()));

        // The audit trail: each action, in the signed-in operator's name, through the same path as `referrals tasks`.
        var index = app.Services.GetRequiredService<TaskIndex>();
        var history = app.Services.GetRequiredService<VictimHistory>();
        foreach (var (task, expected) in new[] { (root.GetProperty("withJavaScript").GetString()!, new[] { "Claimed by A. Patel", "Done (NotReached)" }), (root.GetProperty("withoutJavaScript").GetString()!, ["Claimed by A. Patel", "Open", "Claimed by A. Patel", "Done (NotReached)"]) })
        {
            var row = (await index.FindAsync(task, CancellationToken.None))!;
            var entries = (await history.HistoryAsync(row.CrimeReference, row.VictimId, CancellationToken.None))
                .Where(e => e.Action == AuditAction.Task && e.Facts.Any(f => f.StartsWith($"task {task} ", StringComparison.Ordinal))).OrderBy(e => e.At).ToList();
            Assert.Equal(expected, entries.Select(e => e.Facts.First(f => f.StartsWith($"task {task} ", StringComparison.Ordinal)).Split(" → ")[^1].Split(',')[0]));
            Assert.All(entries, e => Assert.Equal("A. Patel", e.Operator));
        }
    }

    /// <summary>A browser's request handed to the function as the isolated worker hands it: method, URL, headers, body.</summary>
    private static async Task ServeAsync(FunctionsApp app, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var url = new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}{context.Request.QueryString}");
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => (h.Key, v ?? string.Empty))).ToList();
        var request = new FunctionRequest(url, headers, context.Request.Method, body.ToArray());
        const string prefix = "/api/worklist";
        var path = context.Request.Path.Value!.StartsWith(prefix, StringComparison.Ordinal) ? context.Request.Path.Value[prefix.Length..].TrimStart('/') : null;
        var response = (FunctionResponse)await app.Function<ServeWorklist>().Run(request, path, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers)
        {
            context.Response.Headers.Append(header.Key, header.Value.ToArray());
        }

        await context.Response.Body.WriteAsync(((MemoryStream)response.Body).ToArray(), context.RequestAborted);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string chromium, string url, string artifacts, string principal, string outsider)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Browser.BrowserHarness.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(Browser.BrowserHarness.ToolFolder, "worklist-check.mjs"), "--url", url, "--out", artifacts, "--chromium", chromium, "--principal", principal, "--outsider", outsider })
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
            throw new TimeoutException("worklist-check.mjs did not finish in 3 minutes.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
