using System.Collections.Specialized;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Tallies;
using Referrals.Pipeline.Tasks;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// No periodic job, endpoint or command reads a table whole: every table query each makes, recorded by a proxy in
/// front of the tables during a run of it, names one partition (<c>PartitionKey eq</c>) or a range of partitions whose
/// width does not grow with what is kept (a month's 16 buckets; the months a caller asked for, at most 36; the task
/// index's open partitions, which hold open tasks only). The one
/// command allowed to read whole tables is <c>referrals reindex</c>, run once after an upgrade.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class QueryBoundsTests(AzuriteFixture azurite)
{
    /// <summary>One-off administration, each reading whole tables by design.</summary>
    private static readonly Dictionary<string, string> AllowedToScan = new(StringComparer.Ordinal)
    {
        ["reindex"] = "run once after deploying the month index on a store written before it: it writes the index from every stored row",
    };

    /// <summary>The runs that query (the others read or write single rows only).</summary>
    private static readonly string[] Querying = ["AggregateMonthlyTallies", "PurgePersonalData", "CheckNotifyStatuses", "ReportDeadLetters", "EscalateOverdueTasks", "WatchReferralDeadlines", "GET /api/tallies", "explain", "subject-access", "erase", "tallies", "tasks list", "tasks list --overdue", "tasks list --all", "status"];

    private const int StatusCommandNeedsAttention = 3;

    [Fact]
    public async Task Every_query_of_every_job_endpoint_and_command_is_bounded_by_partition()
    {
        await using var proxy = await TableProxy.StartAsync(azurite.ConnectionString);
        await using var pipeline = new PipelineTestHost(azurite, receipts: true, connect: proxy.Connect);
        await pipeline.StartAsync();
        var services = pipeline.Services;
        var month = Month.Of(DateTimeOffset.UtcNow);
        var runs = new List<(string Job, TableRequest Request)>();
        async Task RunAsync(string job, Func<Task> run)
        {
            proxy.Requests.Clear();
            await run();
            runs.AddRange(proxy.Requests.Select(r => (job, r)));
        }

        await RunAsync("the pipeline's steps, with receipts over HTTP", async () =>
        {
            await pipeline.SendAsync(Samples.Lines[..10]);
            await pipeline.WaitUntilIdleAsync();
            await pipeline.SendAsync(Samples.Lines[10..]);
            await pipeline.WaitUntilIdleAsync();
        });
        await RunAsync("AggregateMonthlyTallies", () => services.GetRequiredService<TallyAggregator>().AggregateRecentAsync(CancellationToken.None));
        await RunAsync("PurgePersonalData", () => services.GetRequiredService<RetentionPurge>().RunAsync(dryRun: false, CancellationToken.None));
        await RunAsync("CheckNotifyStatuses", () => services.GetRequiredService<NotifyStatusSweep>().SweepAsync(CancellationToken.None));
        await RunAsync("ReportDeadLetters", () => services.GetRequiredService<DeadLetterReporter>().ReportAsync(CancellationToken.None));
        await RunAsync("EscalateOverdueTasks", () => services.GetRequiredService<TaskEscalation>().SweepAsync(CancellationToken.None));
        await RunAsync("WatchReferralDeadlines", () => services.GetRequiredService<Deadlines.DeadlineWatch>().WatchAsync(CancellationToken.None));
        await RunAsync("GET /api/health", () => services.GetRequiredService<HealthEndpoint>().HandleAsync([], CancellationToken.None));
        await RunAsync("GET /api/tallies", () => services.GetRequiredService<TalliesEndpoint>().HandleAsync(new NameValueCollection { ["from"] = "2026-10", ["to"] = month.ToString() }, "text/csv", false, CancellationToken.None));
        await RunAsync("GET /api/dashboard/data", () => services.GetRequiredService<DashboardEndpoint>().HandleAsync("data", new NameValueCollection { ["from"] = "2026-10", ["to"] = month.ToString() }, false, CancellationToken.None));
        var task = (await services.GetRequiredService<TaskIndex>().OpenAsync(CancellationToken.None).FirstAsync(t => t.CrimeReference != "DB/26/000110")).RowKey;
        var letter = (await services.GetRequiredService<DeadLetterStore>().ListAsync(DeadLetterKind.Rejected, CancellationToken.None).FirstAsync()).RowKey;
        var folder = Directory.CreateTempSubdirectory("referrals-bounds-").FullName;
        try
        {
            foreach (var command in new string[][]
            {
                ["explain", "DB/26/000110", "V2"],
                ["subject-access", "DB/26/000110", "V2", "--out", Path.Combine(folder, "export.json"), "--operator", "test"],
                ["erase", "DB/26/000110", "V3", "--reason", "test", "--operator", "test"],
                ["purge", "--dry-run"],
                ["rejected"],
                ["poison"],
                ["replay", letter, "--operator", "test"],
                ["tallies", "--from", "2026-10", "--to", month.ToString()],
                ["tasks", "list"],
                ["status"],
                ["tasks", "list", "--overdue"],
                ["tasks", "list", "--due", "today"],
                ["tasks", "list", "--all", "--month", "2026-10"],
                ["tasks", "show", task],
                ["tasks", "claim", task, "--operator", "test"],
                ["tasks", "release", task, "--operator", "test"],
                ["reindex"],
            })
            {
                await RunAsync(Job(command), async () =>
                {
                    // Those that queue work run as a process, given the test's queues as an operator's environment would.
                    var (exitCode, output) = command[0] is "erase" or "replay" || command is ["tasks", "claim" or "release", ..]
                        ? await pipeline.ProcessCliAsync(command) is var (code, stdout, stderr) ? (code, stdout + stderr) : default
                        : await pipeline.CliAsync(command);
                    // `status` exits 3 when something needs an operator (the samples leave tasks and dead letters waiting).
                    Assert.True(exitCode == 0 || (command is ["status"] && exitCode == StatusCommandNeedsAttention), $"{string.Join(' ', command)}: exit {exitCode}: {output}");
                });
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // A month on, the retention run also empties the recipient index's day partitions past matching, one partition each.
        await RunAsync("PurgePersonalData a month on", () =>
            ActivatorUtilities.CreateInstance<RetentionPurge>(services, (TimeProvider)new SettableTime(DateTimeOffset.UtcNow.AddDays(30))).RunAsync(dryRun: false, CancellationToken.None));

        var queries = runs.Where(r => r.Request.IsQuery).ToList();
        var unbounded = queries.Where(r => !AllowedToScan.ContainsKey(r.Job)).Select(r => (r.Job, r.Request, Why: Unbounded(r.Request.Filter))).Where(r => r.Why is not null).ToList();
        Assert.True(unbounded.Count == 0, string.Join(Environment.NewLine, unbounded.Select(u => $"{u.Job}: {u.Request.Table} {u.Request.Filter ?? "(no filter)"}: {u.Why}")));

        // The recording saw what each run did: queries of every job, and reindex's whole-table reads.
        Assert.All(Querying, job => Assert.Contains(queries, q => q.Job == job));
        Assert.Contains(queries, q => q.Job == "reindex" && Unbounded(q.Request.Filter) is not null);
        Assert.Contains(queries, q => q.Job == "AggregateMonthlyTallies" && q.Request.Table.EndsWith("MonthIndex", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Job == "PurgePersonalData a month on" && q.Request.Table.EndsWith("EmailRecipients", StringComparison.Ordinal) && q.Request.Filter is { } f && f.StartsWith("PartitionKey eq 'day|", StringComparison.Ordinal));
    }

    /// <summary>A command's name as the allow-list and the assertions know it: its words before its first argument or value.</summary>
    private static string Job(string[] command) =>
        string.Join(' ', command.TakeWhile((word, i) => i == 0 || (command[0] == "tasks" && (i == 1 || word is "--overdue" or "--all"))));

    [Theory]
    [InlineData(null, "no filter: the whole table")]
    [InlineData("RowKey ge 'tally:2026-10|' and RowKey lt 'tally:2026-10}'", "no PartitionKey condition")]
    [InlineData("(SmsStatus eq 'Sent' or LetterStatus eq 'Sent') and RowKey ge 'victim:'", "no PartitionKey condition")]
    [InlineData("PartitionKey eq 'a' or RowKey eq 'b'", "no PartitionKey condition")]
    [InlineData("PartitionKey ge '2026-10-00'", "a PartitionKey range open at one end")]
    [InlineData("PartitionKey ge '2026-01-00' and PartitionKey le '2026-12-15'", "a PartitionKey range wider than one month's buckets or 36 months")]
    [InlineData("PartitionKey ge 'a' and PartitionKey le 'z'", "a PartitionKey range wider than one month's buckets or 36 months")]
    [InlineData("PartitionKey eq 'x''y' and RowKey ge 'audit:'", null)]
    [InlineData("(PartitionKey eq 'x') and ((RowKey ge 'a') or (RowKey ge 'b'))", null)]
    [InlineData("PartitionKey ge '2026-12-00' and PartitionKey le '2026-12-15' and RowKey gt 'status|'", null)]
    [InlineData("PartitionKey ge '2024-01' and PartitionKey le '2026-12'", null)]
    [InlineData("PartitionKey ge 'open|' and PartitionKey le 'open|2026-12-07'", null)]
    [InlineData("PartitionKey ge 'open|' and PartitionKey lt 'open}'", null)]
    [InlineData("PartitionKey ge 'raised|' and PartitionKey lt 'raised}'", "a PartitionKey range wider than one month's buckets or 36 months")]
    public void The_check_tells_a_bounded_query_from_a_scan(string? filter, string? why) => Assert.Equal(why, Unbounded(filter));

    /// <summary>Null when the filter bounds the query to partitions whose number does not grow with history; else why not.</summary>
    private static string? Unbounded(string? filter)
    {
        if (filter is null)
        {
            return "no filter: the whole table";
        }

        var keys = Conjuncts(filter).Select(c => KeyCondition().Match(c)).Where(m => m.Success)
            .Select(m => (Op: m.Groups[1].Value, Value: m.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal))).ToList();
        if (keys.Any(k => k.Op == "eq"))
        {
            return null;
        }

        if (keys.Count == 0)
        {
            return "no PartitionKey condition";
        }

        var (low, high) = (keys.FirstOrDefault(k => k.Op is "ge" or "gt").Value, keys.FirstOrDefault(k => k.Op is "le" or "lt").Value);
        if (low is null || high is null)
        {
            return "a PartitionKey range open at one end";
        }

        // The task index's open partitions hold open tasks only (a task's row there is deleted when it closes,
        // TaskIndex.SyncAsync): what such a range reads is the Unit's work now, not what is kept.
        if (low.StartsWith(TaskIndex.OpenPrefix, StringComparison.Ordinal) && (high.StartsWith(TaskIndex.OpenPrefix, StringComparison.Ordinal) || high == "open}"))
        {
            return null;
        }

        var buckets = Bucket().Match(low) is { Success: true } l && Bucket().Match(high) is { Success: true } h && l.Groups[1].Value == h.Groups[1].Value;
        var months = Month.TryParse(low, out var from) && Month.TryParse(high, out var to) && from <= to && ((to.Year - from.Year) * 12) + to.Number - from.Number < MonthRange.MaxMonths;
        return buckets || months ? null : "a PartitionKey range wider than one month's buckets or 36 months";
    }

    /// <summary>The filter's top-level "and" terms, each without the parentheses around it (an "or" is one term).</summary>
    private static List<string> Conjuncts(string filter)
    {
        var term = Strip(filter);
        if (Split(term, " or ").Count > 1)
        {
            return [term];
        }

        var parts = Split(term, " and ");
        return parts.Count == 1 ? [term] : [.. parts.SelectMany(Conjuncts)];
    }

    /// <summary>The parts of a term between its top-level occurrences of <paramref name="word"/> (outside quotes and parentheses).</summary>
    private static List<string> Split(string term, string word)
    {
        var parts = new List<string>();
        var (depth, quoted, start) = (0, false, 0);
        for (var i = 0; i < term.Length; i++)
        {
            var c = term[i];
            quoted = c == '\'' ? !quoted : quoted;
            depth += quoted ? 0 : c == '(' ? 1 : c == ')' ? -1 : 0;
            if (!quoted && depth == 0 && string.CompareOrdinal(term, i, word, 0, word.Length) == 0)
            {
                parts.Add(term[start..i]);
                start = i + word.Length;
            }
        }

        parts.Add(term[start..]);
        return parts;
    }

    private static string Strip(string term)
    {
        term = term.Trim();
        while (term.StartsWith('(') && term.EndsWith(')') && Closes(term))
        {
            term = term[1..^1].Trim();
        }

        return term;
    }

    /// <summary>Whether the first parenthesis closes at the very end.</summary>
    private static bool Closes(string term)
    {
        var (depth, quoted) = (0, false);
        for (var i = 0; i < term.Length; i++)
        {
            var c = term[i];
            quoted = c == '\'' ? !quoted : quoted;
            depth += quoted ? 0 : c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && i < term.Length - 1)
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^PartitionKey (eq|ge|gt|le|lt) '((?:[^']|'')*)'$")]
    private static partial Regex KeyCondition();

    [GeneratedRegex(@"^(\d{4}-\d{2})-\d{2}$")]
    private static partial Regex Bucket();
}
