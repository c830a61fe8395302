using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.Receipts;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.LocalHost;

/// <summary>One `bench --webhook-batch` run: the same size of batch applied one receipt at a time, then as the webhook applies it.</summary>
public sealed record WebhookBatchFigures(int Events, int BodyBytes, double SerialSeconds, int SerialApplied, double BatchSeconds, int BatchApplied, int Concurrency);

/// <summary>
/// `referrals bench --webhook-batch`: a SendGrid Event Webhook body of <c>delivered</c> events, each for a distinct victim of
/// a distinct crime, half of them emails the pipeline sent (rows cloned from the first sample's victim, its email Sent and
/// awaiting receipts), half not. Applied through the real sink on Azurite twice, each time to fresh victims: one receipt
/// at a time, each with all its writes (the webhook before issue 29), then as the webhook applies a batch now.
/// </summary>
public static class WebhookBatchBenchmark
{
    private const int MaxBody = 1024 * 1024;

    public static async Task<WebhookBatchFigures> RunAsync(int events, string samplesPath, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(progress, cancellationToken);
        await using var sendGrid = await LocalSendGrid.StartAsync(outbox: null);
        await using var notify = await LocalNotify.StartAsync(outbox: null);
        await using var services = await LocalServices.StartAsync(outbox: null);
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName), services.Url, Path.Combine(Path.GetTempPath(), $"referrals-webhook-bench-{Environment.ProcessId}", "services.json"));
        var counter = new RequestKinds();
        using var host = LocalPipelineHost.Build(LocalSettings.For(azurite.ConnectionString, sendGrid.Url, directory, notifyBaseUrl: notify.Url),
            s => s.AddSingleton<Azure.Core.Pipeline.HttpPipelinePolicy>(counter), logging => logging.SetMinimumLevel(LogLevel.Warning));
        await host.StartAsync(cancellationToken);
        try
        {
            var provider = host.Services;
            var options = provider.GetRequiredService<IOptions<PipelineOptions>>().Value;
            var clients = provider.GetRequiredService<StorageClients>();
            var first = (await File.ReadAllLinesAsync(samplesPath, cancellationToken))[0];
            await new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, options.CrimeEventsQueue, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 })
                .SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(first)), cancellationToken: cancellationToken);
            Stored<VictimState>? seed = null;
            for (var waited = Stopwatch.StartNew(); seed is not { State.Contact.Email.Status: MessageStatus.Sent or MessageStatus.Unconfirmed } && waited.Elapsed < TimeSpan.FromMinutes(2);)
            {
                await Task.Delay(200, cancellationToken);
                seed = await provider.GetRequiredService<VictimStateStore>().LoadVictimAsync("DB/26/000101", "V1", cancellationToken);
            }

            await PipelineProbe.WaitUntilIdleAsync(clients, options, TimeSpan.FromMinutes(2), cancellationToken);
            seed = await provider.GetRequiredService<VictimStateStore>().LoadVictimAsync("DB/26/000101", "V1", cancellationToken)
                ?? throw new InvalidOperationException("the first sample's victim was not stored");
            var awaiting = seed.State.With(Channel.Email, seed.State.Contact.Email with { Status = MessageStatus.Sent, DeliveredAt = null });
            var table = clients.Tables.GetTableClient(options.VictimStateTable);
            var keys = provider.GetService<RecipientKeys>();
            var sink = provider.GetRequiredService<IReceiptSink>();
            using var metrics = new PipelineMetrics();

            // A short warm-up, then each way on its own fresh victims.
            await RunOnceAsync("warm", Math.Min(200, events), 4);
            var (serialSeconds, serialApplied, bytes) = await RunOnceAsync("serial", events, 1);
            var (batchSeconds, batchApplied, _) = await RunOnceAsync("batch", events, ReceiptResults.BatchConcurrency);
            return new WebhookBatchFigures(events, bytes, serialSeconds, serialApplied, batchSeconds, batchApplied, ReceiptResults.BatchConcurrency);

            async Task<(double Seconds, int Applied, int Bytes)> RunOnceAsync(string run, int count, int concurrency)
            {
                var victims = Enumerable.Range(0, count).Select(i => (Crime: $"BENCH/{run}/{i:D6}", Victim: $"V{i}", Known: i % 2 == 0)).ToList();
                await Parallel.ForEachAsync(victims.Where(v => v.Known), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (v, ct) =>
                {
                    // The victim's row, and its crime's index outbox open as the crime's snapshot leaves it minutes before a receipt.
                    var row = (awaiting with { CrimeReference = v.Crime, VictimId = v.Victim, UpdatedAt = DateTimeOffset.UtcNow }).ToRow(default, SnapshotCopy.NotInLatest);
                    await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row), Referrals.Pipeline.Indexes.IndexOutbox.Open(row.PartitionKey)], ct);
                });
                var body = Body(victims.Select(v => (v.Crime, v.Victim)));
                var parsed = SendGridEvents.Parse(body, keys is null ? null : keys.Of);
                var batch = parsed.Value ?? throw new InvalidOperationException(parsed.Problem);
                progress(string.Create(CultureInfo.InvariantCulture, $"{run}: {count} events, {body.Length} bytes, concurrency {concurrency}"));
                counter.Kinds.Clear();
                using var service = azurite.TableProcessId is { } pid ? Process.GetProcessById(pid) : null;
                var (serviceCpu, ownCpu) = (service?.TotalProcessorTime ?? TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);
                var started = Stopwatch.GetTimestamp();
                var applied = 0;
                if (concurrency == 1)
                {
                    // One receipt at a time, each with every write it asks for, as the webhook applied a batch before issue 29.
                    foreach (var receipt in batch.Receipts)
                    {
                        applied += (await ReceiptResults.ApplyAsync(sink, metrics, "sendgrid", [receipt], [], cancellationToken)).Applied;
                    }
                }
                else
                {
                    applied = (await ReceiptResults.ApplyAsync(sink, metrics, "sendgrid", batch.Receipts, batch.Ignored, cancellationToken, concurrency)).Applied;
                }

                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                service?.Refresh();
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"  {seconds:F2} s; CPU: Azurite's table service {((service?.TotalProcessorTime ?? TimeSpan.Zero) - serviceCpu).TotalSeconds:F2} s, this process {(Process.GetCurrentProcess().TotalProcessorTime - ownCpu).TotalSeconds:F2} s; load average {LoadAverage()}"));
                foreach (var kind in counter.Kinds.OrderByDescending(k => k.Value))
                {
                    progress($"  {kind.Key}: {kind.Value}");
                }

                return (seconds, applied, body.Length);
            }
        }
        finally
        {
            await LocalPipelineHost.DrainAndStopAsync(host);
        }
    }

    /// <summary>SendGrid's delivered events as its Event Webhook posts them (the fields of its documented example), about 350 bytes each.</summary>
    private static byte[] Body(IEnumerable<(string Crime, string Victim)> victims)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var events = victims.Select((v, i) => string.Create(CultureInfo.InvariantCulture,
            $$"""{"email":"victim.{{i:D6}}@example.org","timestamp":{{at}},"event":"delivered","category":["entitlement-email"],"sg_event_id":"ZGVsaXZlcmVkLTAtNDA5NjQ0-{{i:D6}}","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.{{i:D6}}.0","response":"250 OK","ip":"168.1.1.1","tls":1,"crimeReference":"{{v.Crime}}","victimId":"{{v.Victim}}"}"""));
        var body = Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]");
        return body.Length <= MaxBody ? body : throw new InvalidOperationException($"the batch is {body.Length} bytes, over SendGrid's 1 MiB: ask for fewer events");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
