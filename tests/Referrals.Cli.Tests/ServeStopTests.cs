using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Referrals.Cli.Tests;

/// <summary>
/// `referrals run --serve` ends when the operator asks: Ctrl-C in a terminal (SIGINT to the whole foreground process
/// group, Azurite's processes included) or SIGTERM, within 5 seconds, with exit code 0 and nothing left running.
/// </summary>
public sealed partial class ServeStopTests : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    private static readonly IntPtr SigDfl = IntPtr.Zero;
    private static readonly IntPtr SigIgn = new(1);
    private static readonly Lock Starting = new();
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Ctrl_C_to_the_terminal_s_process_group_or_SIGTERM_stops_run_serve_within_5_seconds_with_exit_code_0()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // signals to process groups, setsid and /proc: tested on Linux, CI's system
        }

        Directory.CreateDirectory(_temp.Path);
        var oneSnapshot = Path.Combine(_temp.Path, "one.jsonl");
        await File.WriteAllLinesAsync(oneSnapshot, [File.ReadLines(CliProcess.SamplesPath).First()]);

        var results = await Task.WhenAll(
            ServeThenStopAsync(oneSnapshot, "ctrl-c", SigInt, wholeGroup: true),
            ServeThenStopAsync(oneSnapshot, "sigterm", SigTerm, wholeGroup: false));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"{r.Name}: exit code {r.ExitCode}; stderr: {r.Stderr}"));
        Assert.All(results, r => Assert.True(r.Stopping < TimeSpan.FromSeconds(5), $"{r.Name}: took {r.Stopping} to stop"));
        Assert.All(results, r => Assert.Equal(string.Empty, r.Stderr));
        Assert.All(results, r => Assert.EndsWith("Stopped serving.", r.Stdout.TrimEnd(), StringComparison.Ordinal));
        Assert.All(results, r => Assert.Contains("Loopback only, without sign-in", r.Stdout, StringComparison.Ordinal));
        Assert.All(results, r => Assert.Matches(@"The Victim Care Unit's worklist, on loopback \(you act as local user [^)]+\): http://127\.0\.0\.1:\d+/api/worklist\n", r.Stdout.ReplaceLineEndings("\n")));
        Assert.All(results, r => Assert.Equal(200, r.WorklistStatus));
        Assert.All(results, r => Assert.Empty(r.LeftRunning));
    }

    private sealed record Stopped(string Name, int ExitCode, TimeSpan Stopping, string Stdout, string Stderr, List<int> LeftRunning, int WorklistStatus);

    private async Task<Stopped> ServeThenStopAsync(string snapshots, string name, int signal, bool wholeGroup)
    {
        // In a session of its own (setsid), as a shell starts a foreground job: the group a terminal's Ctrl-C reaches.
        var start = CliProcess.Start("run", "--serve", "--send", snapshots, "--outbox", Path.Combine(_temp.Path, name), "--timeout", "60");
        start.ArgumentList.Insert(0, start.FileName);
        start.FileName = "setsid";
        using var run = StartWithDefaultSigInt(start);
        var stdout = new System.Text.StringBuilder();
        var stderr = run.StandardError.ReadToEndAsync();
        try
        {
            using var serving = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await run.StandardOutput.ReadLineAsync(serving.Token) is { } line)
            {
                stdout.AppendLine(line);
                if (line == "Serving until Ctrl-C.")
                {
                    break;
                }
            }

            Assert.Contains("Serving until Ctrl-C.", stdout.ToString(), StringComparison.Ordinal);

            // The printed worklist address answers with the page (loopback, no sign-in).
            var worklist = System.Text.RegularExpressions.Regex.Match(stdout.ToString(), @"(http://127\.0\.0\.1:\d+/api/worklist)\s").Groups[1].Value;
            using var http = new HttpClient();
            using var page = await http.GetAsync(new Uri(worklist));
            var worklistStatus = (int)page.StatusCode;
            Assert.Contains("Victim Care Unit worklist", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var children = ChildrenOf(run.Id);
            Assert.NotEmpty(children);

            var asked = Stopwatch.GetTimestamp();
            Assert.Equal(0, Kill(wholeGroup ? -run.Id : run.Id, signal));
            var rest = run.StandardOutput.ReadToEndAsync();
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await run.WaitForExitAsync(stopping.Token);
            var took = Stopwatch.GetElapsedTime(asked);
            stdout.Append(await rest);
            await Task.Delay(500); // Azurite's processes are killed by the run; give the kernel a moment to reap them
            return new(name, run.ExitCode, took, stdout.ToString(), await stderr, [.. children.Where(IsRunning)], worklistStatus);
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// A test host started in the background may have inherited SIGINT ignored, and a child inherits that: .NET then
    /// never handles it (it leaves an ignored SIGINT alone). A terminal's foreground job has it at its default, so the
    /// child is started with the default, as a shell would start it.
    /// </summary>
    /// <remarks>
    /// Only an ignored SIGINT is touched (SIG_IGN and SIG_DFL carry no handler, so <c>signal</c> restores either
    /// exactly); a SIGINT the runtime handles is reset to the default in the child by exec anyway.
    /// </remarks>
    private static Process StartWithDefaultSigInt(ProcessStartInfo start)
    {
        lock (Starting)
        {
            if (!SigIntIgnored())
            {
                return Process.Start(start)!;
            }

            Signal(SigInt, SigDfl);
            try
            {
                return Process.Start(start)!;
            }
            finally
            {
                Signal(SigInt, SigIgn);
            }
        }
    }

    /// <summary>Whether this process ignores SIGINT: bit 1 of the SigIgn mask in /proc/self/status.</summary>
    private static bool SigIntIgnored() =>
        File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is var line
        && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << (SigInt - 1))) != 0;

    private static List<int> ChildrenOf(int parent) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => Stat(pid) is { } stat && int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) == parent)];

    private static bool IsRunning(int pid) => Stat(pid) is { } stat && stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';

    private static string? Stat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial IntPtr Signal(int signal, IntPtr handler);
}
