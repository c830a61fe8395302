using System.Diagnostics;
using Referrals.LocalHost;

namespace Referrals.Cli.Tests;

/// <summary>A killed `referrals run` leaves no Azurite running and, after the next start, no temporary data.</summary>
public sealed class AzuriteLifetimeTests : IDisposable
{
    private readonly TempFolder _outbox = new();

    public void Dispose() => _outbox.Dispose();

    [Fact]
    public async Task Azurite_ends_with_a_killed_run_and_the_next_start_removes_its_folder()
    {
        using var run = Process.Start(CliProcess.Start("run", "--outbox", _outbox.Path, "--timeout", "60"))!;
        List<int> azurite;
        try
        {
            _ = run.StandardOutput.ReadToEndAsync();
            _ = run.StandardError.ReadToEndAsync();
            azurite = await WaitForAsync(() => ChildrenOf(run.Id) is { Count: 3 } children ? children : null, TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException("the run did not start three Azurite processes");
        }
        finally
        {
            run.Kill(); // SIGKILL: the run gets no chance to clean up.
            await run.WaitForExitAsync();
        }

        var folders = Directory.GetDirectories(Path.GetTempPath(), $"referrals-azurite-pid{run.Id}-*");
        Assert.NotEmpty(folders);

        var gone = await WaitForAsync(() => azurite.All(pid => !IsRunning(pid)) ? true : (bool?)null, TimeSpan.FromSeconds(5));
        Assert.True(gone == true, $"Azurite processes {string.Join(", ", azurite.Where(IsRunning))} outlived the killed run");

        Azurite.RemoveStaleFolders();
        Assert.All(folders, folder => Assert.False(Directory.Exists(folder), $"{folder} was left behind"));
    }

    /// <summary>The node processes whose parent is <paramref name="parent"/> (only the run's own children: nothing else is touched).</summary>
    private static List<int> ChildrenOf(int parent) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Stat: TryRead($"/proc/{name}/stat")))
            .Where(p => p.Stat is not null && ParentOf(p.Stat) == parent && p.Stat.Contains("(node)", StringComparison.Ordinal))
            .Select(p => p.Pid)];

    private static int ParentOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Running and not a zombie: a killed process's parent may not have reaped it yet.</summary>
    private static bool IsRunning(int pid) =>
        TryRead($"/proc/{pid}/stat") is { } stat && stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';

    private static async Task<T?> WaitForAsync<T>(Func<T?> probe, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        return default;
    }
}
