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
    public async Task Run_refuses_a_folder_of_a_users_emails_laid_out_like_an_outbox_and_keeps_them()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, Outbox.ServicesFolder));
        var letter = Path.Combine(_temp.Path, "letter.eml");
        await File.WriteAllTextAsync(letter, "x");
        var bank = Path.Combine(_temp.Path, Outbox.ServicesFolder, "bank.eml");
        await File.WriteAllTextAsync(bank, "y");

        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "run", "--outbox", _temp.Path, "--timeout", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("is not empty and is not an outbox of `referrals run`", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(letter));
        Assert.True(File.Exists(bank));
    }

    [Fact]
    public void A_users_email_put_in_an_outbox_after_a_run_survives_the_next_claim()
    {
        using (Outbox.Claim(_temp.Path))
        {
        }

        var letter = Path.Combine(_temp.Path, "letter.eml");
        File.WriteAllText(letter, "the user's own email");
        Directory.CreateDirectory(Path.Combine(_temp.Path, Outbox.ServicesApiFolder));
        var delivery = Path.Combine(_temp.Path, Outbox.ServicesApiFolder, "general_k.json");
        File.WriteAllText(delivery, "{}");

        using var outbox = Outbox.Claim(_temp.Path);

        Assert.True(File.Exists(letter));
        Assert.True(File.Exists(delivery));
    }

    [Fact]
    public void The_files_a_run_recorded_writing_are_cleared_by_the_next_claim_and_nothing_else()
    {
        string[] written = ["DB-26-1_V1_local-1.eml", $"{Outbox.ServicesFolder}/DB-26-1_V1_local-1s.eml", $"{Outbox.ServicesApiFolder}/general_k.json", Outbox.DirectoryFile];
        using (var run = Outbox.Claim(_temp.Path))
        {
            foreach (var file in written)
            {
                var full = run.Record(Path.Combine(_temp.Path, file));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "written by the run");
            }
        }

        File.WriteAllText(Path.Combine(_temp.Path, "notes.txt"), "the operator's own notes");
        File.WriteAllText(Path.Combine(_temp.Path, Outbox.ServicesFolder, "bank.eml"), "the operator's own email");

        using var outbox = Outbox.Claim(_temp.Path);

        Assert.All(written, file => Assert.False(File.Exists(Path.Combine(_temp.Path, file)), file));
        Assert.True(File.Exists(Path.Combine(_temp.Path, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(_temp.Path, Outbox.ServicesFolder, "bank.eml")));
        var manifest = File.ReadAllText(Path.Combine(_temp.Path, Outbox.MarkerName));
        Assert.StartsWith("# An outbox of `referrals run`.", manifest, StringComparison.Ordinal);
        Assert.All(manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("# ", line, StringComparison.Ordinal));
        Assert.DoesNotContain("DB-26-1", manifest, StringComparison.Ordinal);
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
