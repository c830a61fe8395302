using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

using Referrals.Rules;

namespace Referrals.LocalHost;

public sealed record BenchmarkResult(
    int Snapshots,
    TimeSpan Elapsed,
    double VictimsPerSecond,
    TimeSpan P50,
    TimeSpan P95,
    double StorageRequestsPerVictim,
    double RawQueueRoundTripsPerSecond,
    IReadOnlyList<(string Kind, double Per)> RequestsPerVictimByKind);

/// <summary>
/// Pushes N generated one-victim snapshots through the local host on Azurite with a loopback SendGrid,
/// and measures, in the same run, Azurite's raw queue round trip as the ceiling to compare with.
/// </summary>
public static class PipelineBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(int count, double rate, string template, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(progress, cancellationToken);
        var enqueued = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var accepted = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var sendGrid = await LocalSendGrid.StartAsync(outbox: null, (crime, _) => accepted.TryAdd(crime, Stopwatch.GetTimestamp()));
        await using var services = await LocalServices.StartAsync(outbox: null);
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName), services.Url, Path.Combine(Path.GetTempPath(), $"referrals-bench-{Environment.ProcessId}", "services.json"));
        var counter = new RequestKinds();
        using var host = LocalPipelineHost.Build(
            LocalSettings.For(azurite.ConnectionString, sendGrid.Url, directory),
            services => services.AddSingleton<HttpPipelinePolicy>(counter),
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await host.StartAsync(cancellationToken);
        try
        {
            var options = host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
            var queue = new QueueClient(azurite.ConnectionString, options.CrimeEventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            counter.Reset();
            var started = Stopwatch.GetTimestamp();
            var today = DateTimeOffset.UtcNow;
            // With a rate, snapshots arrive steadily (latency of an unloaded pipeline); without, all at once (throughput).
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                if (rate > 0 && TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(started) is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, ct);
                }

                var reference = $"BENCH/{i:D7}";
                // Recorded and sent today, as the records system sends a crime: its tally events and its referral's due time
                // fall in the month the steps run in, as in production (the sample's October dates would split each index
                // write over two month partitions: two requests).
                var line = template.Replace("4063e9bc-07fd-5efe-b2b6-1a2bcc895d7f", $"bench-{i}", StringComparison.Ordinal)
                    .Replace("DB/26/000101", reference, StringComparison.Ordinal)
                    .Replace("2026-10-05T09:14:00Z", today.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("2026-10-05T08:50:00+01:00", today.AddMinutes(-30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal);
                enqueued[reference] = Stopwatch.GetTimestamp();
                await queue.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(line)), cancellationToken: ct);
            });

            while (accepted.Count < count && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(100, cancellationToken);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var latencies = accepted.Select(a => Stopwatch.GetElapsedTime(enqueued[a.Key], a.Value)).Order().ToList();
            var requests = counter.Count;
            var raw = await RawQueueRoundTripsPerSecondAsync(azurite.ConnectionString, Math.Min(count, 2000), cancellationToken);
            return new BenchmarkResult(
                accepted.Count,
                elapsed,
                accepted.Count / elapsed.TotalSeconds,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.95),
                (double)requests / Math.Max(1, accepted.Count),
                raw,
                [.. counter.PerEach(accepted.Count)]);
        }
        finally
        {
            await LocalPipelineHost.DrainAndStopAsync(host);
        }
    }

    /// <summary>Send, receive and delete through one queue, 8 workers at once: what Azurite itself can do here.</summary>
    private static async Task<double> RawQueueRoundTripsPerSecondAsync(string connection, int messages, CancellationToken cancellationToken)
    {
        var queue = new QueueClient(connection, "bench-raw-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync(cancellationToken: cancellationToken);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            await queue.SendMessageAsync("x", ct);
            var received = (await queue.ReceiveMessageAsync(cancellationToken: ct)).Value;
            if (received is not null)
            {
                await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, ct);
            }
        });
        var perSecond = messages / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await queue.DeleteAsync(cancellationToken);
        return perSecond;
    }

    private static TimeSpan Percentile(List<TimeSpan> sorted, double percentile) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(percentile * sorted.Count) - 1)];
}
