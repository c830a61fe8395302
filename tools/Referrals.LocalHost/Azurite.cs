using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Referrals.LocalHost;

/// <summary>
/// Azurite, the Azure Storage emulator, installed from npm (tools/azurite, pinned with its lockfile) and started on
/// free loopback ports: blob and table storage in memory, queue storage in a temporary folder. Disposing it stops
/// the processes and deletes the folder. Its processes also end by themselves when this process dies (a watchdog
/// loaded into each), and the folder of a dead owner is removed when the next one starts: the queues hold snapshots.
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

    /// <summary>Temporary folders are named with their owner's process id, so a later start can tell a dead owner's.</summary>
    private const string FolderPrefix = "referrals-azurite-pid";

    /// <summary>
    /// Loaded into each Azurite process with node's --require: a worker thread that ends the process when its parent is
    /// gone (re-parented, or no longer running), however the parent ended, SIGKILL included; .NET cannot ask the kernel
    /// for that (PR_SET_PDEATHSIG) on a child it starts. A thread of its own, because Azurite's start-up holds the main
    /// thread for seconds on a busy machine. SIGTERM lets Azurite close its files; SIGKILL follows if it does not.
    /// </summary>
    private const string Watchdog = """
        'use strict';
        const { Worker, isMainThread } = require('worker_threads');
        // Workers inherit node's --require: without these guards each worker would start another, without end.
        if (isMainThread) new Worker(`
          const parent = Number(process.env.REFERRALS_AZURITE_PARENT);
          const alive = () => { try { process.kill(parent, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
          let ending = false;
          setInterval(() => {
            if (!ending && (process.ppid !== parent || !alive())) {
              ending = true;
              process.kill(process.pid, 'SIGTERM');
              setTimeout(() => process.kill(process.pid, 'SIGKILL'), 3000);
            }
          }, 250);
        `, { eval: true, execArgv: [] }).unref();
        """;

    /// <summary>
    /// Loaded into the table service with node's --require: Azurite answers every table query by reading every entity of
    /// the table (LokiTableMetadataStore.queryTableEntities filters the whole collection), even a query that names one
    /// partition, where Azure seeks to the partition. This makes a query whose filter requires <c>PartitionKey eq '…'</c>,
    /// or a PartitionKey range whose bounds share a prefix no number can start with, start from Azurite's own index on
    /// PartitionKey (LokiJS's binary index, which Azurite declares and keeps), then apply the same filter, sort and
    /// paging as before: the same answer, read the way Azure reads it, so the time of a partition-bounded query follows
    /// the partition and not the table (docs/benchmarks.md, "Each job's cost follows its work"). Anything else is left exactly as it was; if
    /// Azurite's internals are not where this expects them (another version), nothing is changed. It writes
    /// <c>seek-active</c> beside itself when it is in place, for the test that checks it.
    /// </summary>
    private const string Seek = """
        'use strict';
        const path = require('path');
        const fs = require('fs');
        const persistence = path.join(process.env.REFERRALS_AZURITE_SCRIPTS || '', 'table', 'persistence');
        let Store, parse, nodes;
        try {
          Store = require(path.join(persistence, 'LokiTableMetadataStore.js')).default;
          parse = require(path.join(persistence, 'QueryInterpreter', 'QueryParser.js')).default;
          nodes = {};
          for (const name of ['AndNode', 'EqualsNode', 'GreaterThanNode', 'GreaterThanEqualNode', 'LessThanNode', 'LessThanEqualNode', 'IdentifierNode', 'ConstantNode']) {
            nodes[name] = require(path.join(persistence, 'QueryInterpreter', 'QueryNodes', name + '.js')).default;
          }
        } catch (e) {
          Store = undefined;
        }
        // LokiJS orders numbers (and strings Number() reads) before other strings, so a range is only sought when no string
        // between its bounds can be one: their common prefix must not be the start of anything Number() reads.
        const mayStartNumber = (prefix) => {
          const p = prefix.replace(/^\s+/, '');
          return /^[+-]?\d*\.?\d*([eE][+-]?\d*)?\s*$/.test(p)
            || /^[+-]?(I(n(f(i(n(i(t(y\s*)?)?)?)?)?)?)?)?$/.test(p)
            || /^0([xX][0-9a-fA-F]*|[oO][0-7]*|[bB][01]*)?\s*$/.test(p);
        };
        const commonPrefix = (a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return a.slice(0, i); };
        const conjuncts = (node, out) => {
          if (node instanceof nodes.AndNode) { conjuncts(node.left, out); conjuncts(node.right, out); } else { out.push(node); }
          return out;
        };
        const flipped = { EqualsNode: 'eq', GreaterThanNode: 'lt', GreaterThanEqualNode: 'le', LessThanNode: 'gt', LessThanEqualNode: 'ge' };
        const straight = { EqualsNode: 'eq', GreaterThanNode: 'gt', GreaterThanEqualNode: 'ge', LessThanNode: 'lt', LessThanEqualNode: 'le' };
        const isKey = (n) => n instanceof nodes.IdentifierNode && n.identifier === 'PartitionKey';
        const isText = (n) => n instanceof nodes.ConstantNode && typeof n.value === 'string';
        const seekOf = (filter) => {
          if (typeof filter !== 'string' || filter === '') return undefined;
          let tree;
          try { tree = parse(filter); } catch (e) { return undefined; }
          let low, high;
          for (const c of conjuncts(tree, [])) {
            const kind = Object.keys(straight).find(k => c instanceof nodes[k]);
            if (!kind) continue;
            let op, value;
            if (isKey(c.left) && isText(c.right)) { op = straight[kind]; value = c.right.value; }
            else if (isKey(c.right) && isText(c.left)) { op = flipped[kind]; value = c.left.value; }
            else continue;
            if (op === 'eq') return { PartitionKey: value };
            if (op === 'gt' || op === 'ge') { if (low === undefined || value > low) low = value; }
            else if (high === undefined || value < high) { high = value; }
          }
          if (low === undefined || high === undefined) return undefined;
          if (high < low) return { PartitionKey: { $between: [low, low] } };
          const prefix = commonPrefix(low, high);
          return prefix !== '' && !mayStartNumber(prefix) ? { PartitionKey: { $between: [low, high] } } : undefined;
        };
        if (Store && typeof Store.prototype.queryTableEntities === 'function' && typeof Store.prototype.getEntityCollection === 'function') {
          const query = Store.prototype.queryTableEntities;
          Store.prototype.queryTableEntities = function (context, account, table, queryOptions) {
            const seek = seekOf(queryOptions && queryOptions.filter);
            if (!seek) return query.apply(this, arguments);
            const store = this;
            const seeking = Object.create(store);
            seeking.getEntityCollection = function () {
              const collection = store.getEntityCollection.apply(store, arguments);
              return { chain: () => collection.chain().find(seek) };
            };
            return query.apply(seeking, arguments);
          };
          try { fs.writeFileSync(path.join(__dirname, 'seek-active'), 'partition seek in place\n'); } catch (e) { }
        }
        """;

    /// <summary>util-linux's setsid, to start a process in a session of its own (Linux only; elsewhere none).</summary>
    private static readonly string? Setsid = OperatingSystem.IsLinux() ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) : null;

    private readonly List<Process> _processes = [];
    private readonly string _dataFolder;

    private Azurite(string dataFolder, int blobPort, int queuePort, int tablePort)
    {
        _dataFolder = dataFolder;
        Ports = (blobPort, queuePort, tablePort);
        ConnectionString = string.Join(';',
            "DefaultEndpointsProtocol=http",
            $"AccountName={Account}",
            $"AccountKey={DevelopmentAccountKey}",
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{Account}",
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{Account}",
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{Account}");
    }

    public string ConnectionString { get; }

    public (int Blob, int Queue, int Table) Ports { get; }

    /// <summary>The node processes, for tests that check none outlives its owner.</summary>
    public IReadOnlyList<int> ProcessIds => [.. _processes.Select(p => p.Id)];

    /// <summary>Whether the table service runs with the partition seek (<see cref="Seek"/>) in place.</summary>
    public bool PartitionSeek => File.Exists(Path.Combine(_dataFolder, "seek-active"));

    /// <summary>The throw-away Azurite of a run or a test: free ports, queues in a temporary folder, the rest in memory.</summary>
    /// <param name="tableHeapMegabytes">Node's heap limit for the table service (its default is about 4 GB): `bench --history` holds millions of rows in memory.</param>
    public static async Task<Azurite> StartAsync(Action<string> progress, CancellationToken cancellationToken, int? tableHeapMegabytes = null)
    {
        var scripts = await InstallAsync(progress, cancellationToken);
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var azurite = new Azurite(CreateOwnedFolder(), blob, queue, table);
        try
        {
            var queueData = Directory.CreateDirectory(Path.Combine(azurite._dataFolder, "queue")).FullName;
            azurite.Start(scripts, Path.Combine("blob", "main.js"), ownSession: true, "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", $"{blob}");
            azurite.Start(scripts, Path.Combine("queue", "main.js"), ownSession: true, "--location", queueData, "--queueHost", "127.0.0.1", "--queuePort", $"{queue}");
            azurite.Start(scripts, Path.Combine("table", "main.js"), ownSession: true, tableHeapMegabytes, "--inMemoryPersistence", "--tableHost", "127.0.0.1", "--tablePort", $"{table}");
            await azurite.WaitUntilListeningAsync([blob, queue, table], cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// `referrals azurite`: blob, queue and table services on their standard ports (10000, 10001, 10002) on loopback,
    /// with their data kept in <paramref name="dataFolder"/>, so `UseDevelopmentStorage=true` reaches them.
    /// </summary>
    public static async Task<Azurite> StartStandardAsync(string dataFolder, Action<string> progress, CancellationToken cancellationToken)
    {
        var scripts = await InstallAsync(progress, cancellationToken);
        var ports = new[] { 10000, 10001, 10002 };
        if (ports.FirstOrDefault(IsListening) is var busy and > 0)
        {
            throw new InvalidOperationException($"port {busy} on 127.0.0.1 is already in use (another Azurite?); stop it first, or use it as it is.");
        }

        Directory.CreateDirectory(dataFolder);
        var azurite = new Azurite(CreateOwnedFolder(), ports[0], ports[1], ports[2]);
        try
        {
            azurite.Start(scripts, "azurite.js", ownSession: false, "--location", Path.GetFullPath(dataFolder),
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1");
            await azurite.WaitUntilListeningAsync(ports, cancellationToken);
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes when an Azurite process ends by itself (not through <see cref="DisposeAsync"/>): its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        var exited = await Task.WhenAny(_processes.Select(p => p.WaitForExitAsync(cancellationToken)));
        await exited;
        return _processes.First(p => p.HasExited).ExitCode;
    }

    /// <summary>
    /// Removes the temporary folders of Azurites whose owner process is gone (killed before it could clean up). Only
    /// folders named by this class are considered, and only when their owner id is not a running process.
    /// </summary>
    public static void RemoveStaleFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var name = Path.GetFileName(folder)[FolderPrefix.Length..];
            if (int.TryParse(name.Split('-')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var owner) && !IsRunning(owner))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another user's folder, or one being removed at the same moment: not ours to insist on.
                }
            }
        }
    }

    /// <summary>Whether a process with this id runs now (a test of ownership by id: a reused id only delays a clean-up).</summary>
    internal static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string CreateOwnedFolder()
    {
        RemoveStaleFolders();
        var folder = Directory.CreateTempSubdirectory($"{FolderPrefix}{Environment.ProcessId}-").FullName;
        File.WriteAllText(Path.Combine(folder, "watchdog.js"), Watchdog);
        File.WriteAllText(Path.Combine(folder, "seek.js"), Seek);
        return folder;
    }

    private static async Task<string> InstallAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var folder = FindInstallFolder();
        var scripts = Path.Combine(folder, "node_modules", "azurite", "dist", "src");
        if (!File.Exists(Path.Combine(scripts, "azurite.js")))
        {
            progress($"Installing Azurite from npm into {folder} (first run only, about a minute)…");
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], folder, cancellationToken);
        }

        return scripts;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
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

    /// <param name="ownSession">
    /// Start it in a session of its own (util-linux `setsid`, where there is one), so a Ctrl-C in the terminal reaches
    /// only this process, which then stops the host while its storage is still up, and stops Azurite itself. Without
    /// it the terminal's SIGINT also ends Azurite at once, and the host's shutdown waits on storage that is gone.
    /// </param>
    private void Start(string scripts, string script, bool ownSession, params string[] args) => Start(scripts, script, ownSession, null, args);

    private void Start(string scripts, string script, bool ownSession, int? heapMegabytes, params string[] args)
    {
        var setsid = ownSession ? Setsid : null;
        var start = new ProcessStartInfo(setsid ?? "node")
        {
            WorkingDirectory = _dataFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["REFERRALS_AZURITE_PARENT"] = $"{Environment.ProcessId}", ["REFERRALS_AZURITE_SCRIPTS"] = scripts },
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add("node"); // setsid execs it in place: same process, still our child
        }

        if (heapMegabytes is { } heap)
        {
            start.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--max-old-space-size={heap}"));
        }

        foreach (var arg in new[] { "--require", Path.Combine(_dataFolder, "watchdog.js"), "--require", Path.Combine(_dataFolder, "seek.js"), Path.Combine(scripts, script), "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose" }.Concat(args))
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
                    throw new InvalidOperationException(exited.ExitCode == 127
                        ? "Node.js (`node`) was not found on PATH: install Node.js 20 or later to run Azurite."
                        : $"Azurite exited with code {exited.ExitCode} before it was ready.");
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
