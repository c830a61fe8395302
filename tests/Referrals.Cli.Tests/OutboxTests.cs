using System.Diagnostics;
using Referrals.LocalHost;

namespace Referrals.Cli.Tests;

/// <summary>`referrals run --outbox DIR` never deletes what it did not write, and two runs never share an outbox.</summary>
public sealed class OutboxTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_refuses_a_folder_that_is_not_an_outbox_and_deletes_nothing()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "src"));
        var precious = Path.Combine(_temp.Path, "src", "Program.cs");
        await File.WriteAllTextAsync(precious, "// a user's work");
        var email = Path.Combine(_temp.Path, "looks-like-an-email.eml");
        await File.WriteAllTextAsync(email, "not ours either");

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "run", "--outbox", _temp.Path, "--timeout", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("is not empty and is not an outbox of `referrals run`", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Starting Azurite", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(precious));
        Assert.True(File.Exists(email));
    }

    [Fact]
    public void An_outbox_of_an_earlier_run_is_cleared_of_what_a_run_writes_only()
    {
        using (Outbox.Claim(_temp.Path))
        {
        }

        Directory.CreateDirectory(Path.Combine(_temp.Path, Outbox.ServicesApiFolder));
        File.WriteAllText(Path.Combine(_temp.Path, "DB-26-1_V1_local-1.eml"), "email");
        File.WriteAllText(Path.Combine(_temp.Path, Outbox.ServicesApiFolder, "general_k.json"), "{}");
        File.WriteAllText(Path.Combine(_temp.Path, "notes.txt"), "the operator's own notes");

        using var outbox = Outbox.Claim(_temp.Path);

        Assert.Equal([Outbox.MarkerName, Outbox.LockName, "notes.txt"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_folder_holding_only_what_a_run_writes_is_taken_as_an_outbox()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, Outbox.ServicesFolder));
        File.WriteAllText(Path.Combine(_temp.Path, Outbox.ServicesFolder, "x.eml"), "email");

        using var outbox = Outbox.Claim(_temp.Path);

        Assert.False(Directory.Exists(Path.Combine(_temp.Path, Outbox.ServicesFolder)));
    }

    [Fact]
    public void An_outbox_in_use_by_a_live_run_is_refused_and_a_dead_runs_lock_is_taken_over()
    {
        using (Outbox.Claim(_temp.Path))
        {
        }

        using var alive = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            File.WriteAllText(Path.Combine(_temp.Path, Outbox.LockName), $"{alive.Id}");
            var refused = Assert.Throws<InvalidOperationException>(() => Outbox.Claim(_temp.Path));
            Assert.Contains($"in use by another `referrals run` (process {alive.Id})", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            alive.Kill();
            alive.WaitForExit();
        }

        using var outbox = Outbox.Claim(_temp.Path);
        Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(Path.Combine(_temp.Path, Outbox.LockName)));
    }

    [Fact]
    public void Releasing_an_outbox_removes_its_lock()
    {
        using (Outbox.Claim(_temp.Path))
        {
        }

        Assert.False(File.Exists(Path.Combine(_temp.Path, Outbox.LockName)));
        Assert.True(File.Exists(Path.Combine(_temp.Path, Outbox.MarkerName)));
    }
}
