using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Referrals.LocalHost;

namespace Referrals.Cli.Tests;

/// <summary>An Azurite of the test class's own, for commands that must meet a storage account that answers.</summary>
public sealed class AzuriteForCli : IAsyncLifetime
{
    private Azurite? _azurite;

    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>This Azurite's endpoints with a key it does not know (a wrong account key: not a secret).</summary>
    public string WrongKey => Azurite.ConnectionString.Replace("AccountKey=Eby8", "AccountKey=Xby8", StringComparison.Ordinal);

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync(_ => { }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>A wrong account key: every storage command, `run --storage` included, says so in one line and exits 1 within 10 s; a table not there yet is "nothing yet", exit 0.</summary>
public sealed class WrongStorageTests(AzuriteForCli azurite) : IClassFixture<AzuriteForCli>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Each storage command line, its arguments separated by '|'.</summary>
    public static TheoryData<string> StorageCommands => new()
    {
        "rejected",
        "poison",
        "replay|some-id",
        "replay|--poison-queues",
        "tallies|--from|2026-01|--to|2026-03",
        "explain|DB/26/000101|V1",
        "subject-access|DB/26/000101|V1|--out|{temp}/sar.json|--operator|test",
        "erase|DB/26/000101|V1|--reason|test|--operator|test",
        "purge|--dry-run",
        "status",
        "send|" + CliProcess.SamplesPath,
        "run|--outbox|{temp}/outbox",
    };

    [Theory]
    [MemberData(nameof(StorageCommands))]
    public async Task A_wrong_account_key_is_one_line_and_exit_1_within_10_seconds(string commandLine)
    {
        var args = commandLine.Replace("{temp}", _temp.Path, StringComparison.Ordinal).Split('|');
        var started = Stopwatch.GetTimestamp();

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, [.. args, "--storage", azurite.WrongKey]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"referrals {args[0]}: storage at http://127.0.0.1:{azurite.Azurite.Ports.Queue} refused the credentials (403 AuthenticationFailed): is the account key in --storage / ReferralsStorage right?", line);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Xby8", stdout + stderr, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
    }

    [Theory]
    [InlineData("rejected", "No rejected messages yet.")]
    [InlineData("tallies|--from|2026-01|--to|2026-03", "No tallies yet: nothing has been counted on this storage (run the pipeline, or --refresh).")]
    [InlineData("explain|DB/26/000101|V1", "No audit trail yet: nothing has been stored on this storage.")]
    [InlineData("purge|--dry-run", "Nothing to purge: nothing has been stored on this storage.")]
    public async Task A_table_not_there_yet_is_nothing_yet_in_one_line_and_exit_0(string commandLine, string nothingYet)
    {
        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, [.. commandLine.Split('|'), "--storage", azurite.Azurite.ConnectionString, "--table-prefix", $"t{Guid.NewGuid():N}"[..10]]);

        Assert.Equal(0, exitCode);
        Assert.Equal(nothingYet, Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(string.Empty, stderr);
    }
}

/// <summary>Storage that takes the connection and never answers: the operator hears so in one line within 10 s, not after the clients' retries.</summary>
public sealed class SilentStorageTests : IDisposable
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<Socket> _held = [];
    private readonly TempFolder _temp = new();

    public SilentStorageTests()
    {
        _silent.Start();
        _ = AcceptForeverAsync();
    }

    public void Dispose()
    {
        _silent.Stop();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }

        _temp.Dispose();
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("run|--outbox|{temp}/outbox")]
    public async Task Storage_that_never_answers_is_one_line_and_exit_1_within_10_seconds(string commandLine)
    {
        var port = ((IPEndPoint)_silent.LocalEndpoint).Port;
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Xby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1";
        var args = commandLine.Replace("{temp}", _temp.Path, StringComparison.Ordinal).Split('|');
        var started = Stopwatch.GetTimestamp();

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, [.. args, "--storage", connection]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"referrals {args[0]}: storage at http://127.0.0.1:{port} cannot be reached (no answer within 6 s). Is Azurite running (`referrals azurite`), or is --storage / ReferralsStorage right?",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {Stopwatch.GetElapsedTime(started)}");
    }

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (true)
            {
                _held.Add(await _silent.AcceptSocketAsync());
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The test is over.
        }
    }
}
