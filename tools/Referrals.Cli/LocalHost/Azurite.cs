using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Referrals.Cli.LocalHost;

/// <summary>
/// Azurite, the Azure Storage emulator, installed from npm (tools/azurite, pinned with its lockfile) and started on
/// free loopback ports: blob and table storage in memory, queue storage in a temporary folder. Disposing it stops
/// the processes and deletes the folder.
/// </summary>
/// <remarks>
/// Queues are not in memory: there, Azurite keeps every message in an extent of its own and frees them in a sweep
/// whose cost grows with the square of the messages sent in a minute; past about 40 messages a second the sweep
/// takes the whole process. On disk, messages share extent files and the sweep stays small. Tables stay in memory,
/// where point reads and writes are indexed (on disk they scan the table).
/// </remarks>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>The emulator's published development account key (the same in every Azurite): not a secret.</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string Account = "devstoreaccount1";

    private readonly List<Process> _processes = [];
    private readonly string _dataFolder;

    private Azurite(string dataFolder, int blobPort, int queuePort, int tablePort)
    {
        _dataFolder = dataFolder;
        ConnectionString = string.Join(';',
            "DefaultEndpointsProtocol=http",
            $"AccountName={Account}",
            $"AccountKey={DevelopmentAccountKey}",
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{Account}",
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{Account}",
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{Account}");
    }

    public string ConnectionString { get; }

    public static async Task<Azurite> StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var folder = FindInstallFolder();
        var scripts = Path.Combine(folder, "node_modules", "azurite", "dist", "src");
        if (!File.Exists(Path.Combine(scripts, "azurite.js")))
        {
            progress($"Installing Azurite from npm into {folder} (first run only, about a minute)…");
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], folder, cancellationToken);
        }

        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var azurite = new Azurite(Directory.CreateTempSubdirectory("referrals-azurite-").FullName, blob, queue, table);
        try
        {
            azurite.Start(folder, Path.Combine(scripts, "blob", "main.js"), "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", $"{blob}");
            azurite.Start(folder, Path.Combine(scripts, "queue", "main.js"), "--location", azurite._dataFolder, "--queueHost", "127.0.0.1", "--queuePort", $"{queue}");
            azurite.Start(folder, Path.Combine(scripts, "table", "main.js"), "--inMemoryPersistence", "--tableHost", "127.0.0.1", "--tablePort", $"{table}");
            await azurite.WaitUntilListeningAsync([blob, queue, table], cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the folder is in the temporary directory, which the system clears.
        }
    }

    private void Start(string folder, string script, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { script, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Node.js (`node`) was not found on PATH: install Node.js 20 or later to run Azurite.", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    /// <summary>tools/azurite of this repository, found by walking up from the program or the current folder.</summary>
    public static string FindInstallFolder()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tools", "azurite");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("tools/azurite/package.json was not found above this program or the current folder: run from the Referrals repository.");
    }

    private async Task WaitUntilListeningAsync(int[] ports, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in ports)
        {
            while (true)
            {
                if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {exited.ExitCode} before it was ready.");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, string folder, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"`{file}` was not found on PATH: install Node.js 20 or later (it brings npm) to install Azurite.", ex);
        }

        using var process = started ?? throw new InvalidOperationException($"{file} did not start.");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` failed with exit code {process.ExitCode} in {folder}.");
        }
    }
}
