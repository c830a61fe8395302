using System.Collections.Specialized;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Pipeline.Tasks;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.LocalHost;

/// <summary>One job's figures at N/10 and at N victims' history: the median and the least of the timed runs, and the requests of one.</summary>
public sealed record HistoryFigure(string Job, double MillisecondsAtTenth, double MillisecondsAtN, long RequestsAtTenth, long RequestsAtN, double MinimumAtTenth, double MinimumAtN, int Runs);

/// <summary>
/// `referrals bench --history N`: the periodic jobs and endpoints on the same small amount of work (the sample file's
/// crimes, run through the pipeline now) with N/10 and then N victims' history behind it. The history is the seed's own
/// rows, as the pipeline wrote them (state, audit and tally rows, the month index, the task index, the monthly tallies),
/// cloned under new crime references and moved back 3 to 12 months (after the months the recount recounts, and before
/// the personal data period ends at about 13); every tenth clone 14 to 23 months back, with its crime row as the purge
/// leaves it (snapshot emptied, PurgedAt set). Written with batch inserts, outside the counted clients.
/// Not cloned: dead letters and the task index's open rows (the purge deletes dead letters after 90 days; a task closed
/// months ago has no open row), rejected messages' tally events. The purge's cursors are where a daily run leaves them.
/// </summary>
public static partial class HistoryBenchmark
{
    private const int MaxBatch = 100;

    /// <summary>Timed runs of each job at each size (after one untimed run).</summary>
    private const int TimedRuns = 15;

    public static async Task<(List<HistoryFigure> Figures, int SeedVictims, TimeSpan Build)> RunAsync(int history, string samplesPath, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(progress, cancellationToken, tableHeapMegabytes: 12288);
        await using var sendGrid = await LocalSendGrid.StartAsync(outbox: null);
        await using var notify = await LocalNotify.StartAsync(outbox: null);
        await using var services = await LocalServices.StartAsync(outbox: null);
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName), services.Url, Path.Combine(Path.GetTempPath(), $"referrals-history-{Environment.ProcessId}", "services.json"));
        var settings = LocalSettings.For(azurite.ConnectionString, sendGrid.Url, directory, notifyBaseUrl: notify.Url);
        foreach (var schedule in new[] { Settings.DeadLetterReportSchedule, Settings.MonthlyTallySchedule, Settings.RetentionSchedule, Settings.NotifyStatusSchedule, Settings.TaskEscalationSchedule, Settings.DeadlineWatchSchedule })
        {
            settings[schedule] = "0 0 0 1 1 *"; // The bench runs the jobs itself: no timer fires in between.
        }

        var counter = new RequestCounter();
        using var host = LocalPipelineHost.Build(settings, s => s.AddSingleton<HttpPipelinePolicy>(counter), logging => logging.SetMinimumLevel(LogLevel.Warning));
        await host.StartAsync(cancellationToken);
        try
        {
            var provider = host.Services;
            var options = provider.GetRequiredService<IOptions<PipelineOptions>>().Value;
            var clients = provider.GetRequiredService<StorageClients>();
            List<ExactLine> lines;
            await using (var input = File.OpenRead(samplesPath))
            {
                lines = await SnapshotSender.ReadAsync(input, cancellationToken);
            }

            foreach (var wave in SnapshotSender.Waves(lines))
            {
                await SnapshotSender.SendAsync(clients.Queues.GetQueueClient(options.CrimeEventsQueue), wave, cancellationToken);
                await PipelineProbe.WaitUntilIdleAsync(clients, options, TimeSpan.FromMinutes(2), cancellationToken);
            }

            // The steps' index outboxes applied, as the next recount or status timer leaves them.
            await provider.GetRequiredService<IndexOutbox>().DrainAsync(cancellationToken);
            var tables = new TableServiceClient(azurite.ConnectionString);
            var seed = await SeedAsync(tables, options, cancellationToken);
            var victims = seed[options.VictimStateTable].Count(r => r.RowKey.StartsWith(VictimStateEntity.RowKeyPrefix, StringComparison.Ordinal));
            progress($"Seed: {lines.Count} snapshots, {victims} victims, {seed.Values.Sum(r => r.Count)} rows; history of {history:N0} victims is {history / Math.Max(1, victims):N0} clones of it.");
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            var jobs = Jobs(provider, now);
            var built = Stopwatch.StartNew();
            var clones = history / Math.Max(1, victims);
            var tenth = clones / 10;
            await WriteClonesAsync(tables, options, seed, 0, tenth, now, progress, cancellationToken);
            await SettleAsync(azurite, progress, cancellationToken);
            var atTenth = await MeasureAsync(jobs, provider, counter, now, cancellationToken);
            await WriteClonesAsync(tables, options, seed, tenth, clones, now, progress, cancellationToken);
            var build = built.Elapsed;
            await SettleAsync(azurite, progress, cancellationToken);
            var atN = await MeasureAsync(jobs, provider, counter, now, cancellationToken);
            return ([.. jobs.Select(j => new HistoryFigure(j.Name, atTenth[j.Name].Milliseconds, atN[j.Name].Milliseconds, atTenth[j.Name].Requests, atN[j.Name].Requests, atTenth[j.Name].Minimum, atN[j.Name].Minimum, TimedRuns))], victims, build);
        }
        finally
        {
            await LocalPipelineHost.DrainAndStopAsync(host);
        }
    }

    /// <summary>The jobs, each as its timer, endpoint or command runs it.</summary>
    private static List<(string Name, Func<CancellationToken, Task> Run)> Jobs(IServiceProvider provider, DateTimeOffset now) =>
    [
        ("recount", ct => provider.GetRequiredService<TallyAggregator>().AggregateRecentAsync(ct)),
        ("purge", ct => provider.GetRequiredService<RetentionPurge>().RunAsync(dryRun: false, ct)),
        ("status-timer", ct => provider.GetRequiredService<NotifyStatusSweep>().SweepAsync(ct)),
        ("dead-letters", ct => provider.GetRequiredService<DeadLetterReporter>().ReportAsync(ct)),
        ("subject-access", ct => provider.GetRequiredService<SubjectAccess>().ExportAsync("DB/26/000101", "V1", "bench", ct)),
        ("dashboard", ct => provider.GetRequiredService<DashboardEndpoint>().HandleAsync("data", new NameValueCollection { ["from"] = Month.Of(now.AddMonths(-12)).ToString(), ["to"] = Month.Of(now).ToString() }, false, ct)),
        ("tasks-due", ct => provider.GetRequiredService<TaskEscalation>().SweepAsync(ct)),
    ];

    /// <summary>Each job once to settle (what it finds to do the first time), then <see cref="TimedRuns"/> timed runs: the median and the least, and the requests of the last.</summary>
    private static async Task<Dictionary<string, (double Milliseconds, double Minimum, long Requests)>> MeasureAsync(List<(string Name, Func<CancellationToken, Task> Run)> jobs, IServiceProvider provider, RequestCounter counter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var figures = new Dictionary<string, (double, double, long)>(StringComparer.Ordinal);
        foreach (var (name, run) in jobs)
        {
            await CursorsAsync(provider, now, cancellationToken);
            await run(cancellationToken);
            var times = new List<double>();
            long requests = 0;
            for (var i = 0; i < TimedRuns; i++)
            {
                await CursorsAsync(provider, now, cancellationToken);
                counter.Reset();
                var started = Stopwatch.GetTimestamp();
                await run(cancellationToken);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                requests = counter.Count;
            }

            var sorted = times.Order().ToList();
            figures[name] = (sorted[sorted.Count / 2], sorted[0], requests);
        }

        return figures;
    }

    /// <summary>
    /// Before timing: this process's garbage from writing the history collected, and the table service idle (under 5% of a
    /// core for 3 seconds running, read from /proc; at most 10 minutes), so the jobs are not timed against the build's
    /// after-effects (Node collecting a heap of millions of rows just written), which a job on Azure never meets.
    /// </summary>
    private static async Task SettleAsync(Azurite azurite, Action<string> progress, CancellationToken cancellationToken)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var stat = azurite.TableProcessId is { } pid ? $"/proc/{pid}/stat" : null;
        if (stat is null || !File.Exists(stat))
        {
            return;
        }

        static long Ticks(string path)
        {
            // Fields after the command's closing parenthesis: state is the 1st, utime the 12th, stime the 13th.
            var text = File.ReadAllText(path);
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        const int TicksPerSecond = 100; // USER_HZ on Linux
        var waited = Stopwatch.StartNew();
        var quiet = 0;
        var before = Ticks(stat);
        while (quiet < 3 && waited.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(1000, cancellationToken);
            var ticks = Ticks(stat);
            quiet = ticks - before < TicksPerSecond / 20 ? quiet + 1 : 0;
            before = ticks;
        }

        progress(string.Create(CultureInfo.InvariantCulture, $"Table service {(quiet >= 3 ? "idle" : "still busy")} after {waited.Elapsed.TotalSeconds:F0} s; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}."));
    }

    /// <summary>The purge's cursors where yesterday's run left them: personal data and crimes forgotten up to their periods.</summary>
    private static async Task CursorsAsync(IServiceProvider provider, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = provider.GetRequiredService<IOptions<RetentionOptions>>().Value;
        var index = provider.GetRequiredService<MonthIndex>();
        await index.SetCursorAsync(RetentionPurge.PurgeCursor, now.AddDays(-1 - retention.PersonalDataDays), cancellationToken);
        await index.SetCursorAsync(RetentionPurge.ForgetCursor, now.AddDays(-1 - retention.AuditDays), cancellationToken);
    }

    private static async Task<Dictionary<string, List<TableEntity>>> SeedAsync(TableServiceClient tables, PipelineOptions options, CancellationToken cancellationToken)
    {
        var seed = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        foreach (var table in new[] { options.VictimStateTable, options.MonthIndexTable, options.TaskTable, options.MonthlyTalliesTable })
        {
            seed[table] = await tables.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: cancellationToken)
                .Where(r => !(table == options.MonthIndexTable && r.PartitionKey == MonthIndex.CursorPartition) && !(table == options.TaskTable && r.PartitionKey.StartsWith(TaskIndex.OpenPrefix, StringComparison.Ordinal)))
                .ToListAsync(cancellationToken);
        }

        return seed;
    }

    /// <summary>Clones [from, to) of the seed, each under its own crime references and months back, in batches of one partition.</summary>
    private static async Task WriteClonesAsync(TableServiceClient tables, PipelineOptions options, Dictionary<string, List<TableEntity>> seed, int from, int to, DateTimeOffset now, Action<string> progress, CancellationToken cancellationToken)
    {
        // Each seed crime's reference, raw and as a key, to the clone's: "H" and the clone's number before it ("H000042/DB/26/000101").
        var renames = new Dictionary<string, (string Before, string After)>(StringComparer.Ordinal);
        foreach (var reference in seed[options.VictimStateTable].Where(r => r.RowKey.StartsWith(CrimeStateEntity.RowKeyPrefix, StringComparison.Ordinal)).Select(r => r.GetString(nameof(CrimeStateEntity.CrimeReference))))
        {
            renames[reference] = ("H", "/" + reference);
            var key = TableKeys.Id(reference);
            var sample = TableKeys.Id("H000000/" + reference);
            renames[key] = (sample[..sample.IndexOf("000000", StringComparison.Ordinal)], sample[(sample.IndexOf("000000", StringComparison.Ordinal) + 6)..]);
        }

        var references = new Regex(string.Join('|', renames.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        var started = Stopwatch.StartNew();
        long rows = 0;
        for (var chunk = from; chunk < to; chunk += 50)
        {
            var batches = new List<(string Table, TableEntity[] Rows)>();
            foreach (var (table, entities) in seed)
            {
                var cloned = Enumerable.Range(chunk, Math.Min(50, to - chunk)).SelectMany(c => entities.Select(e => Clone(e, c, table, options, references, renames))).ToList();
                batches.AddRange(cloned.GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
                    .SelectMany(p => p.DistinctBy(r => r.RowKey, StringComparer.Ordinal).Chunk(MaxBatch)).Select(b => (table, b)));
                rows += cloned.Count;
            }

            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, ct) =>
                await tables.GetTableClient(batch.Table).SubmitTransactionAsync(batch.Rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct));
            if ((chunk - from) % 500 == 0)
            {
                progress(string.Create(CultureInfo.InvariantCulture, $"  history: clone {chunk:N0} of {to:N0}, {rows:N0} rows, {started.Elapsed.TotalSeconds:F0} s"));
            }
        }

        progress(string.Create(CultureInfo.InvariantCulture, $"History: clones {from:N0} to {to:N0} written, {rows:N0} rows in {started.Elapsed.TotalSeconds:F1} s"));
    }

    /// <summary>A seed row under clone <paramref name="clone"/>'s crime references, its times and months moved back.</summary>
    private static TableEntity Clone(TableEntity row, int clone, string table, PipelineOptions options, Regex references, Dictionary<string, (string Before, string After)> renames)
    {
        var purged = clone % 10 == 9;
        var back = purged ? 14 + (clone % 10) : 3 + (clone % 10);
        string Rewrite(string text)
        {
            text = references.Replace(text, m => renames.TryGetValue(m.Value, out var renamed) ? string.Create(CultureInfo.InvariantCulture, $"{renamed.Before}{clone:D6}{renamed.After}") : m.Value);
            text = Instant().Replace(text, m => Back(DateTimeOffset.Parse(m.Value, CultureInfo.InvariantCulture), back).UtcDateTime.ToString(m.Groups[1].Length > 0 ? "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            return MonthToken().Replace(text, m => Month.TryParse(m.Value, out var month) ? Month.Of(Back(new DateTimeOffset(month.Year, month.Number, 15, 12, 0, 0, TimeSpan.Zero), back)).ToString() : m.Value);
        }

        var copy = new TableEntity(Rewrite(row.PartitionKey), Rewrite(row.RowKey));
        foreach (var (key, value) in row)
        {
            if (key is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")
            {
                continue;
            }

            copy[key] = value switch
            {
                string text => Rewrite(text),
                DateTimeOffset at => Back(at, back),
                DateTime at => Back(new DateTimeOffset(at, TimeSpan.Zero), back).UtcDateTime,
                _ => value,
            };
        }

        if (table == options.MonthIndexTable && Month.TryParse(row.PartitionKey[..7], out var indexMonth))
        {
            // The same bucket as the seed crime's, in the month moved back.
            copy.PartitionKey = Month.Of(Back(new DateTimeOffset(indexMonth.Year, indexMonth.Number, 15, 12, 0, 0, TimeSpan.Zero), back)) + row.PartitionKey[7..];
        }

        if (table == options.TaskTable)
        {
            copy.RowKey += string.Create(CultureInfo.InvariantCulture, $"-{clone}");
        }

        if (table == options.MonthIndexTable && row.RowKey.StartsWith(MonthIndex.ReferralId, StringComparison.Ordinal))
        {
            // A referral's public id names no crime: each clone's its own (the last five characters, digits of Crockford's base32).
            copy.RowKey = string.Create(CultureInfo.InvariantCulture, $"{row.RowKey[..^5]}{clone % 100000:D5}");
        }

        if (purged && row.RowKey.StartsWith(CrimeStateEntity.RowKeyPrefix, StringComparison.Ordinal))
        {
            copy[nameof(CrimeStateEntity.Snapshot)] = Array.Empty<byte>();
            copy[nameof(CrimeStateEntity.PurgedAt)] = Back(row.GetDateTimeOffset(nameof(CrimeStateEntity.UpdatedAt)) ?? DateTimeOffset.UtcNow, back).AddDays(395);
        }

        return copy;
    }

    private static DateTimeOffset Back(DateTimeOffset at, int months) => at.AddMonths(-months);

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z")]
    private static partial Regex Instant();

    [GeneratedRegex(@"(?<![\d-])\d{4}-\d{2}(?![\d-])")]
    private static partial Regex MonthToken();

    /// <summary>Counts every request the pipeline's storage clients send, retries included.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override void OnSendingRequest(Azure.Core.HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
