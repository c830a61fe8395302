using System.CommandLine;
using System.Globalization;
using Referrals.LocalHost;

namespace Referrals.Cli;

/// <summary>`referrals bench`: the pipeline's throughput, latency and storage cost on Azurite, against Azurite's own ceiling.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "How many one-victim snapshots to push through.", DefaultValueFactory = _ => 2000 };
        var history = new Option<int?>("--history")
        {
            Description = "Instead: the periodic jobs and endpoints on the same small work (the sample file's crimes) with N/10 and then N victims' history behind them (13 months, purged crimes among them): one line per job, time and storage requests at each.",
        };
        var webhookBatch = new Option<bool>("--webhook-batch")
        {
            Description = "Instead: one SendGrid webhook batch of --count delivered events (default here 3,000, about 1 MiB), each for a distinct victim of a distinct crime, half of them known, applied one receipt at a time and then as the webhook applies a batch (issue 29).",
        };
        var rate = new Option<double>("--rate") { Description = "Snapshots per second to send; 0 sends them all at once (measures throughput rather than latency).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench",
            """
            Benchmark the pipeline locally: N generated one-victim snapshots (opt-out, email sent, referred) through the local
            host on Azurite with loopback SendGrid and services. Reports victims/s end to end, p50/p95 from enqueue to email
            accepted, Azure Storage requests per victim (counted in the pipeline's own clients, every step), and Azurite's raw
            queue round trip per second.
            """)
        {
            count,
            rate,
            history,
            webhookBatch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(history) is { } victims)
            {
                return await HistoryAsync(victims, output, cancellationToken);
            }

            if (parse.GetValue(webhookBatch))
            {
                return await WebhookBatchAsync(parse.GetResult(count) is { Implicit: false } ? parse.GetValue(count) : 3000, output, cancellationToken);
            }

            var samples = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl"), cancellationToken);
            var result = await PipelineBenchmark.RunAsync(parse.GetValue(count), parse.GetValue(rate), samples[0], message => output.WriteLine(message), cancellationToken);
            var inv = CultureInfo.InvariantCulture;
            await output.WriteLineAsync(string.Create(inv, $"snapshots (one victim each) : {result.Snapshots}"));
            await output.WriteLineAsync(string.Create(inv, $"elapsed                     : {result.Elapsed.TotalSeconds:F1} s"));
            await output.WriteLineAsync(string.Create(inv, $"victims/s end to end        : {result.VictimsPerSecond:F1}"));
            await output.WriteLineAsync(string.Create(inv, $"enqueue → email accepted    : p50 {result.P50.TotalMilliseconds:F0} ms, p95 {result.P95.TotalMilliseconds:F0} ms"));
            await output.WriteLineAsync(string.Create(inv, $"storage requests per victim : {result.StorageRequestsPerVictim:F1}"));
            foreach (var (kind, per) in result.RequestsPerVictimByKind)
            {
                await output.WriteLineAsync(string.Create(inv, $"  {per,5:F2}  {kind}"));
            }

            await output.WriteLineAsync(string.Create(inv, $"Azurite raw queue round trip: {result.RawQueueRoundTripsPerSecond:F0}/s (send + receive + delete, 8 workers)"));
            await output.WriteLineAsync(string.Create(inv, $"pipeline / storage ceiling  : {result.VictimsPerSecond / result.RawQueueRoundTripsPerSecond:P0}"));
            return 0;
        });
        return command;
    }

    /// <summary>`bench --webhook-batch`: both times, measured in the same run, and their ratio.</summary>
    private static async Task<int> WebhookBatchAsync(int events, TextWriter output, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = await WebhookBatchBenchmark.RunAsync(events, Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl"), message => output.WriteLine(message), cancellationToken);
        await output.WriteLineAsync(string.Create(inv, $"webhook batch: {f.Events:N0} events, {f.BodyBytes:N0} bytes, half known"));
        await output.WriteLineAsync(string.Create(inv, $"one at a time : {f.SerialSeconds:F2} s ({f.SerialApplied} applied)"));
        await output.WriteLineAsync(string.Create(inv, $"as a batch    : {f.BatchSeconds:F2} s ({f.BatchApplied} applied, {f.Concurrency} messages at a time)"));
        await output.WriteLineAsync(string.Create(inv, $"batch / serial: {f.BatchSeconds / f.SerialSeconds:P0}"));
        return 0;
    }

    /// <summary>`bench --history N`: one line per job, `history job: ms -> ms (xratio), requests -> requests requests`.</summary>
    private static async Task<int> HistoryAsync(int victims, TextWriter output, CancellationToken cancellationToken)
    {
        if (victims < 100)
        {
            await output.WriteLineAsync("referrals bench: --history needs at least 100 victims.");
            return 2;
        }

        var inv = CultureInfo.InvariantCulture;
        var (figures, seed, build) = await HistoryBenchmark.RunAsync(victims, Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl"), message => output.WriteLine(message), cancellationToken);
        await output.WriteLineAsync(string.Create(inv, $"history of {victims:N0} victims ({seed} victims a clone of the samples) built in {build.TotalSeconds:F0} s"));
        foreach (var f in figures)
        {
            await output.WriteLineAsync(string.Create(inv, $"history {f.Job}: {f.MillisecondsAtTenth:F0} ms -> {f.MillisecondsAtN:F0} ms (x{f.MillisecondsAtN / Math.Max(1, f.MillisecondsAtTenth):F2}), {f.RequestsAtTenth} -> {f.RequestsAtN} requests; least {f.MinimumAtTenth:F0} ms -> {f.MinimumAtN:F0} ms of {f.Runs} runs"));
        }

        return 0;
    }
}
