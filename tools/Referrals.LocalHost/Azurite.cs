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
    /// Loaded into the table service with node's --require: Azurite keeps each table as one LokiJS collection, answers
    /// every query by reading every entity of it (LokiTableMetadataStore.queryTableEntities filters the whole collection),
    /// finds a row by its keys through an index on RowKey alone (so reading victim "V1" of one crime reads every crime's
    /// "V1"), and pays for every removal (each update is a removal and an insert) by rewriting its indexes, whose entries
    /// are array positions. Azure seeks to a partition and to a row. This keeps, per table, its rows by partition and row
    /// key, both in order: a row is found by its keys directly, and a query whose filter bounds PartitionKey on both sides
    /// (<c>eq</c>, or <c>ge</c>/<c>gt</c> and <c>le</c>/<c>lt</c>) reads only the partitions within the bounds, and in each
    /// only the row keys within the filter's RowKey bounds if it has any, then applies the same filter, sort and paging as
    /// before: the same answer, read the way Azure reads it, so the time of a partition-bounded request follows its partition and not the table (docs/benchmarks.md,
    /// "Each job's cost follows its work"). LokiJS's own position indexes, which nothing then reads, are dropped. Anything else is left exactly as
    /// it was; if Azurite's internals are not where this expects them (another version), nothing is changed. It writes
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
        const conjuncts = (node, out) => {
          if (node instanceof nodes.AndNode) { conjuncts(node.left, out); conjuncts(node.right, out); } else { out.push(node); }
          return out;
        };
        const flipped = { EqualsNode: 'eq', GreaterThanNode: 'lt', GreaterThanEqualNode: 'le', LessThanNode: 'gt', LessThanEqualNode: 'ge' };
        const straight = { EqualsNode: 'eq', GreaterThanNode: 'gt', GreaterThanEqualNode: 'ge', LessThanNode: 'lt', LessThanEqualNode: 'le' };
        const keyOf = (n) => n instanceof nodes.IdentifierNode && (n.identifier === 'PartitionKey' || n.identifier === 'RowKey') ? n.identifier : undefined;
        const isText = (n) => n instanceof nodes.ConstantNode && typeof n.value === 'string';
        // The PartitionKey and RowKey bounds every row the filter can match must lie within (JavaScript's string order, as the
        // filter compares); undefined unless the filter bounds PartitionKey on both sides.
        const boundsOf = (filter) => {
          if (typeof filter !== 'string' || filter === '') return undefined;
          let tree;
          try { tree = parse(filter); } catch (e) { return undefined; }
          const bounds = { PartitionKey: {}, RowKey: {} };
          for (const c of conjuncts(tree, [])) {
            const kind = Object.keys(straight).find(k => c instanceof nodes[k]);
            if (!kind) continue;
            let key, op, value;
            if (keyOf(c.left) && isText(c.right)) { key = keyOf(c.left); op = straight[kind]; value = c.right.value; }
            else if (keyOf(c.right) && isText(c.left)) { key = keyOf(c.right); op = flipped[kind]; value = c.left.value; }
            else continue;
            const b = bounds[key];
            if (op !== 'lt' && op !== 'le' && (b.low === undefined || value > b.low)) b.low = value;
            if (op !== 'gt' && op !== 'ge' && (b.high === undefined || value < b.high)) b.high = value;
          }
          return bounds.PartitionKey.low === undefined || bounds.PartitionKey.high === undefined ? undefined : bounds;
        };
        // Per table collection: partition key -> its row keys in order and each one's $loki, and the partition keys in order.
        const keys = new WeakMap();
        const firstAtLeast = (sorted, value) => {
          let lo = 0, hi = sorted.length;
          while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
          return lo;
        };
        const keep = (index, doc) => {
          let rows = index.partitions.get(doc.PartitionKey);
          if (!rows) {
            rows = { ids: new Map(), sorted: [] };
            index.partitions.set(doc.PartitionKey, rows);
            index.sorted.splice(firstAtLeast(index.sorted, doc.PartitionKey), 0, doc.PartitionKey);
          }
          if (!rows.ids.has(doc.RowKey)) rows.sorted.splice(firstAtLeast(rows.sorted, doc.RowKey), 0, doc.RowKey);
          rows.ids.set(doc.RowKey, doc.$loki);
        };
        const forget = (index, partitionKey, rowKey, id) => {
          const rows = index.partitions.get(partitionKey);
          if (!rows || rows.ids.get(rowKey) !== id) return;
          rows.ids.delete(rowKey);
          rows.sorted.splice(firstAtLeast(rows.sorted, rowKey), 1);
          if (rows.ids.size === 0) {
            index.partitions.delete(partitionKey);
            const at = firstAtLeast(index.sorted, partitionKey);
            if (index.sorted[at] === partitionKey) index.sorted.splice(at, 1);
          }
        };
        const keyed = (collection) => {
          let index = keys.get(collection);
          if (index) return index;
          index = { partitions: new Map(), sorted: [] };
          for (const doc of collection.data) keep(index, doc);
          const { insert, remove, update, findOne } = collection;
          collection.insert = function (doc) {
            const stored = insert.apply(this, arguments);
            for (const d of [].concat(stored || [])) if (d && d.$loki !== undefined) keep(index, d);
            return stored;
          };
          collection.remove = function (doc) {
            const id = typeof doc === 'number' ? doc : doc && doc.$loki;
            const stored = typeof id === 'number' ? this.get(id) : undefined;
            const removed = remove.apply(this, arguments);
            if (stored && removed) forget(index, stored.PartitionKey, stored.RowKey, id);
            return removed;
          };
          collection.update = function (doc) {
            const result = update.apply(this, arguments);
            for (const d of [].concat(doc || [])) { const stored = d && this.get(d.$loki); if (stored) keep(index, stored); }
            return result;
          };
          collection.findOne = function (query) {
            const names = query && typeof query === 'object' ? Object.keys(query) : [];
            if (names.length === 2 && typeof query.PartitionKey === 'string' && typeof query.RowKey === 'string') {
              const rows = index.partitions.get(query.PartitionKey);
              const id = rows && rows.ids.get(query.RowKey);
              return id === undefined ? null : this.get(id);
            }
            return findOne.apply(this, arguments);
          };
          // Positions in LokiJS's own indexes shift with every removal, which it pays for by rewriting the whole index; the keys
          // above replace them, so they are dropped.
          collection.binaryIndices = {};
          keys.set(collection, index);
          return index;
        };
        // The rows of the partitions within bounds, as a chain: the same where, sort, limit and data as LokiJS's own.
        const chainOf = (rows) => ({
          where(predicate) { rows = rows.filter(predicate); return this; },
          sort(compare) { rows.sort(compare); return this; },
          limit(count) { rows = rows.slice(0, count); return this; },
          data() { return rows; },
        });
        if (Store && typeof Store.prototype.queryTableEntities === 'function' && typeof Store.prototype.getEntityCollection === 'function') {
          const getEntityCollection = Store.prototype.getEntityCollection;
          Store.prototype.getEntityCollection = function () {
            const collection = getEntityCollection.apply(this, arguments);
            keyed(collection);
            return collection;
          };
          const query = Store.prototype.queryTableEntities;
          Store.prototype.queryTableEntities = function (context, account, table, queryOptions) {
            const bounds = boundsOf(queryOptions && queryOptions.filter);
            if (!bounds) return query.apply(this, arguments);
            const store = this;
            const seeking = Object.create(store);
            seeking.getEntityCollection = function () {
              const collection = store.getEntityCollection.apply(store, arguments);
              const index = keyed(collection);
              const rows = [];
              const { PartitionKey: partitions, RowKey: within } = bounds;
              for (let i = firstAtLeast(index.sorted, partitions.low); i < index.sorted.length && index.sorted[i] <= partitions.high; i++) {
                const partition = index.partitions.get(index.sorted[i]);
                for (let j = within.low === undefined ? 0 : firstAtLeast(partition.sorted, within.low); j < partition.sorted.length && (within.high === undefined || partition.sorted[j] <= within.high); j++) {
                  rows.push(collection.get(partition.ids.get(partition.sorted[j])));
                }
              }
              return { chain: () => chainOf(rows) };
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

    /// <summary>The table service's process (started by <see cref="StartAsync"/>), to tell when it is idle.</summary>
    public int? TableProcessId { get; private set; }

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
            azurite.TableProcessId = azurite._processes[^1].Id;
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
