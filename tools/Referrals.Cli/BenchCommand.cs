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
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var samples = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl"), cancellationToken);
            var result = await PipelineBenchmark.RunAsync(parse.GetValue(count), parse.GetValue(rate), samples[0], message => output.WriteLine(message), cancellationToken);
            var inv = CultureInfo.InvariantCulture;
            await output.WriteLineAsync(string.Create(inv, $"snapshots (one victim each) : {result.Snapshots}"));
            await output.WriteLineAsync(string.Create(inv, $"elapsed                     : {result.Elapsed.TotalSeconds:F1} s"));
            await output.WriteLineAsync(string.Create(inv, $"victims/s end to end        : {result.VictimsPerSecond:F1}"));
            await output.WriteLineAsync(string.Create(inv, $"enqueue → email accepted    : p50 {result.P50.TotalMilliseconds:F0} ms, p95 {result.P95.TotalMilliseconds:F0} ms"));
            await output.WriteLineAsync(string.Create(inv, $"storage requests per victim : {result.StorageRequestsPerVictim:F1}"));
            await output.WriteLineAsync(string.Create(inv, $"Azurite raw queue round trip: {result.RawQueueRoundTripsPerSecond:F0}/s (send + receive + delete, 8 workers)"));
            await output.WriteLineAsync(string.Create(inv, $"pipeline / storage ceiling  : {result.VictimsPerSecond / result.RawQueueRoundTripsPerSecond:P0}"));
            return 0;
        });
        return command;
    }
}
