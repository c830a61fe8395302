using System.Diagnostics;

namespace Referrals.Cli.Tests;

/// <summary>The storage commands when storage cannot be used: one clear line, the documented exit code, no stack trace, no long wait.</summary>
public class StorageCommandTests
{
    /// <summary>Azurite's published development key (not a secret) with endpoints where nothing listens.</summary>
    private const string Unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1";

    /// <summary>Each command line, its arguments separated by '|'.</summary>
    public static TheoryData<string> StorageCommands => new()
    {
        "rejected",
        "poison",
        "replay|some-id",
        "replay|--poison-queues",
        "tallies|--from|2026-01|--to|2026-03",
        "tallies|--from|2026-01|--to|2026-03|--refresh",
        "send|" + CliProcess.SamplesPath,
        "tasks|list|--overdue",
        "status",
        "tasks|close|T2610-0000-0001|--outcome|NotReached|--operator|alex",
    };

    [Theory]
    [MemberData(nameof(StorageCommands))]
    public async Task A_storage_command_says_in_one_line_that_storage_cannot_be_reached(string commandLine)
    {
        var args = commandLine.Split('|');
        var started = Stopwatch.GetTimestamp();

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, [.. args, "--storage", Unreachable]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"referrals {(args[0] == "tasks" ? $"tasks {args[1]}" : args[0])}: storage at http://127.0.0.1:1 cannot be reached", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(8), $"took {Stopwatch.GetElapsedTime(started)}");
    }

    [Theory]
    [MemberData(nameof(StorageCommands))]
    public async Task A_storage_command_defaults_to_development_storage(string commandLine)
    {
        var args = commandLine.Split('|');
        var environment = new Dictionary<string, string?> { ["ReferralsStorage"] = null, ["ReferralsStorage__queueServiceUri"] = null };

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, environment, args);

        // Azurite may or may not be running on the standard ports here; either way the command went there, and said so in one line.
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.True(exitCode is 0 or 1, stderr);
        if (exitCode == 1)
        {
            Assert.Contains("storage at http://127.0.0.1:10001 cannot be reached", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(string.Empty, stderr);
        }
    }

    [Fact]
    public async Task A_malformed_connection_string_is_a_usage_error_that_does_not_echo_it()
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, "rejected", "--storage", "AccountKey=c2VjcmV0LWtleQ==;Nonsense");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("referrals rejected: the storage settings cannot be used", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
        Assert.DoesNotContain("c2VjcmV0LWtleQ", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("referrals tallies: give --from and --to", "tallies", "--from", "2026-01")]
    [InlineData("referrals tallies: 'from' (2026-05) is after 'to' (2026-01).", "tallies", "--from", "2026-05", "--to", "2026-01")]
    [InlineData("Unrecognized command or argument '--no-such-option'.", "rejected", "--no-such-option")]
    [InlineData("Unrecognized command or argument 'no-such-command'.", "no-such-command")]
    [InlineData("referrals replay: give the ID of a dead letter, or --poison-queues.", "replay")]
    [InlineData("Cannot parse argument 'soon' for option '--timeout'", "run", "--timeout", "soon")]
    [InlineData("Cannot parse argument 'Done' for option '--outcome'", "tasks", "close", "T2610-0000-0001", "--outcome", "Done")]
    [InlineData("referrals tasks list: --due takes 'today' or a date yyyy-MM-dd.", "tasks", "list", "--due", "yesterday")]
    [InlineData("referrals tasks list: give at most one of --due, --overdue, --open and --all.", "tasks", "list", "--overdue", "--all")]
    [InlineData("Required argument missing for command: 'claim'.", "tasks", "claim")]
    public async Task A_command_line_mistake_exits_2_saying_what_is_wrong(string error, params string[] args)
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, args);

        Assert.Equal(2, exitCode);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tallies_without_a_range_names_its_own_options_not_the_endpoints_query_string()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "tallies", "--from", "2026-01");

        Assert.Equal(2, exitCode);
        Assert.Contains("--from and --to", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("from=", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_of_a_missing_file_is_one_line_and_exit_1()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "send", "/no/such/file.jsonl", "--storage", Unreachable);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("referrals send: /no/such/file.jsonl cannot be read", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
