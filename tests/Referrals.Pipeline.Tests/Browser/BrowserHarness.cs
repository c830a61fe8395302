using System.Diagnostics;
using System.Text.Json;

namespace Referrals.Pipeline.Tests.Browser;

/// <summary>One page for the harness: a file or a URL, a name for its screenshots, and texts to locate (<see cref="FoundText"/>).</summary>
public sealed record BrowserPage(string Name, string? File = null, string? Url = null, IReadOnlyList<string>? Find = null);

/// <summary>Where the first occurrence of a text ends, in pixels from the top of the page; null when it is not shown.</summary>
public sealed record FoundText(string Text, int? Bottom);

/// <summary>What the harness found at one width of one page.</summary>
public sealed record BrowserWidthResult(int Width, string Screenshot, int ScrollWidth, int ViewportWidth, bool Overflow, IReadOnlyList<string> Overflowing, IReadOnlyList<FoundText> Found, IReadOnlyList<AxeViolation> Violations);

public sealed record AxeViolation(string Id, string? Impact, string Help, int Nodes, IReadOnlyList<string> Targets)
{
    /// <summary>The impacts the issue forbids.</summary>
    public bool IsSeriousOrCritical => Impact is "serious" or "critical";
}

public sealed record BrowserPageResult(string Name, string Source, IReadOnlyList<BrowserWidthResult> Widths);

public sealed record BrowserReport(string Browser, IReadOnlyList<BrowserPageResult> Pages);

/// <summary>
/// Runs <c>tools/browser/check-pages.mjs</c> (headless Chromium through playwright-core, axe-core) over pages and
/// returns its JSON. Installs what is missing first, so a fresh clone (and CI) needs nothing by hand: Debian's
/// <c>chromium</c> with apt-get when running as root (or with password-less sudo), and the pinned npm packages with
/// <c>npm ci</c>. Screenshots stay in <see cref="ArtifactsFolder"/> for a person to look at.
/// </summary>
public static class BrowserHarness
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static string? _chromium;

    public static string RepositoryRoot { get; } = FindRoot();

    public static string ToolFolder => Path.Combine(RepositoryRoot, "tools", "browser");

    /// <summary>out/browser/&lt;suite&gt;: kept after the run (CI uploads out/browser as an artifact).</summary>
    public static string ArtifactsFolder(string suite) => Path.Combine(RepositoryRoot, "out", "browser", suite);

    public static async Task<BrowserReport> CheckAsync(IReadOnlyList<BrowserPage> pages, string suite, int[] widths, CancellationToken cancellationToken = default)
    {
        var chromium = await EnsureInstalledAsync(cancellationToken);
        var output = ArtifactsFolder(suite);
        Directory.CreateDirectory(output);
        var list = Path.Combine(output, "pages.json");
        await File.WriteAllTextAsync(list, JsonSerializer.Serialize(pages.Select(p => new { name = p.Name, file = p.File, url = p.Url, find = p.Find ?? [] })), cancellationToken);
        var (code, stdout, stderr) = await RunAsync("node",
            [Path.Combine(ToolFolder, "check-pages.mjs"), "--pages", list, "--out", output, "--widths", string.Join(',', widths), "--chromium", chromium],
            RepositoryRoot, TimeSpan.FromMinutes(5), cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"check-pages.mjs exited with {code}: {stderr.Trim()}");
        }

        await File.WriteAllTextAsync(Path.Combine(output, "report.json"), stdout, cancellationToken);
        return JsonSerializer.Deserialize<BrowserReport>(stdout, Web)
            ?? throw new InvalidOperationException("check-pages.mjs printed no report");
    }

    /// <summary>The Chromium to drive, installing it and the npm packages when missing.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Path.Combine(ToolFolder, "node_modules", "playwright-core"))
                || !Directory.Exists(Path.Combine(ToolFolder, "node_modules", "axe-core")))
            {
                await MustAsync("npm", ["ci", "--prefix", ToolFolder, "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5), cancellationToken);
            }

            return _chromium ??= await FindOrInstallChromiumAsync(cancellationToken);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<string> FindOrInstallChromiumAsync(CancellationToken cancellationToken)
    {
        if (Found() is { } found)
        {
            return found;
        }

        // Debian's package; on a machine where we are not root, password-less sudo (as on CI runners) does the same.
        string[] aptGet = Environment.UserName == "root"
            ? ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
            : ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"];
        await MustAsync(aptGet[0], [.. aptGet[1..], "update", "-qq"], TimeSpan.FromMinutes(5), cancellationToken);
        await MustAsync(aptGet[0], [.. aptGet[1..], "install", "-y", "-qq", "chromium"], TimeSpan.FromMinutes(10), cancellationToken);
        return Found() ?? throw new InvalidOperationException("Chromium is still missing after `apt-get install chromium`: set CHROMIUM_PATH to a Chromium or Chrome executable.");
    }

    /// <summary>CHROMIUM_PATH, else Debian's chromium, else Google Chrome (preinstalled on GitHub's Ubuntu runners, where the chromium package is a snap stub), else chromium-browser.</summary>
    private static string? Found() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/google-chrome", "/usr/bin/chromium-browser" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path));

    private static async Task MustAsync(string file, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (code, _, stderr) = await RunAsync(file, arguments, RepositoryRoot, timeout, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` exited with {code}: {stderr.Trim()}");
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(
        string file, string[] arguments, string folder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"`{file}` could not be started");
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timer.Token);
        var stderr = process.StandardError.ReadToEndAsync(timer.Token);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Referrals.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Referrals.sln) was not found above the test binaries.");
    }
}
