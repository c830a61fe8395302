using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 23: rulebook 1.2 section 6, "Unknown outcome", across SIGKILLs of the host. The local trigger host runs as a child
/// process (<see cref="ChildHost"/>) against Azurite and the providers' stand-ins, which live on in the test as the providers
/// do: GOV.UK Notify behind a proxy that misbehaves (<see cref="MisbehavingNotify"/>) and SendGrid (WireMock). The host is
/// killed three times: twice while a text is on its way to Notify (the proxy holds the request; Notify takes it once the
/// host is dead), and once after its last wave of sends. Then a host on a clock past the claims' lease takes the work
/// again: every snapshot sent again, every work item three times, and the status timer's settlement by look-up, twice.
/// The emails go in the last wave, recorded before the kill: SendGrid's stand-in posts events only for emails it takes
/// once a webhook is given (the in-process host's), so an email cut off mid-send in a child would wait for 24 hours of
/// silence (the rulebook's one resend, tested in <see cref="UnknownSettlementTests"/>) rather than for its events.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class UnknownOutcomeKillTests(AzuriteFixture azurite)
{
    private const string Found500 = "DB/26/950001";
    private const string KilledFirst = "DB/26/950002";
    private const string Dropped = "DB/26/950003";
    private const string NoId = "DB/26/950004";
    private const string KilledSecond = "DB/26/950005";
    private const string LostOnce = "DB/26/950006";
    private const string Plain = "DB/26/950007";

    [Fact]
    public async Task No_victim_gets_a_second_message_a_provider_accepted_across_unknown_outcomes_SIGKILLs_of_the_host_and_redeliveries()
    {
        // One clock for the pipeline in this process and Notify (its API keys' tokens must be fresh): the children's, then later.
        var time = new ShiftedTime();
        await using var pipeline = new PipelineTestHost(azurite, time: time, receipts: true, notifyOnSameClock: true);
        await using var proxy = await MisbehavingNotify.StartAsync(pipeline.Notify.Url);

        // A text to hold: the proxy keeps its request until the host that sent it is dead, then passes it on to Notify.
        var holds = new Dictionary<string, (TaskCompletionSource Held, ManualResetEventSlim Release)>(StringComparer.Ordinal)
        {
            [KilledFirst] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new()),
            [KilledSecond] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new()),
        };
        var lostOnceSends = 0;
        proxy.Fault = reference =>
        {
            var crime = Crime(reference);
            if (crime is not null && holds.TryGetValue(crime, out var hold) && hold.Held.TrySetResult())
            {
                hold.Release.Wait(TimeSpan.FromSeconds(60));
            }

            return crime switch
            {
                Found500 => NotifyFault.Status500,
                Dropped => NotifyFault.DropConnection,
                NoId => NotifyFault.NoId,
                LostOnce => Interlocked.Increment(ref lostOnceSends) == 1 ? NotifyFault.LostBeforeNotify : NotifyFault.None,
                _ => NotifyFault.None,
            };
        };
        pipeline.Settings["Notify:BaseUrl"] = proxy.Url;
        var settingsFile = Path.Combine(Path.GetTempPath(), $"referrals-kill-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(settingsFile, JsonSerializer.Serialize(pipeline.Settings));

        var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var crimeEvents = queues.GetQueueClient(pipeline.Settings[Settings.CrimeEventsQueue]);
        await crimeEvents.CreateIfNotExistsAsync();
        var victims = new Azure.Data.Tables.TableClient(azurite.ConnectionString, pipeline.Settings[Settings.TablePrefix] + "VictimStates");
        string[][] waves =
        [
            [Text(Found500, 0), Text(KilledFirst, 1)],
            [ContactSnapshots.Json(Dropped, null, address: true, "kill-2"), Text(NoId, 3), Text(KilledSecond, 4)],
            [Text(LostOnce, 5), Text(Plain, 6), Email(1), Email(2), Email(3)],
        ];
        try
        {
            // Killed while the first held text is on its way to Notify, then while the second is; the third run after its sends.
            foreach (var (wave, run) in waves.Select((w, i) => (w, i)))
            {
                using var host = await StartHostAsync(settingsFile);
                try
                {
                    foreach (var line in wave)
                    {
                        await crimeEvents.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(line)));
                    }

                    var sentBy = run == 2
                        ? WaitUntilRecordedAsync(victims, [(LostOnce, MessageStatus.Unconfirmed), (Plain, MessageStatus.Sent), .. Enumerable.Range(1, 3).Select(i => (EmailCrime(i), MessageStatus.Sent))])
                        : holds[run == 0 ? KilledFirst : KilledSecond].Held.Task;
                    await sentBy.WaitAsync(TimeSpan.FromSeconds(60));
                }
                finally
                {
                    host.Kill(entireProcessTree: true); // SIGKILL, and never a host left running by a failed test
                }

                await host.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(137, host.ExitCode);
                foreach (var hold in holds.Values.Where(h => h.Held.Task.IsCompleted))
                {
                    hold.Release.Set();
                }
            }
        }
        finally
        {
            File.Delete(settingsFile);
            foreach (var hold in holds.Values)
            {
                hold.Release.Set();
            }
        }

        await Task.Delay(300); // the held texts reach Notify
        Assert.Equal(new string?[] { KilledFirst, KilledSecond }, pipeline.Notify.Accepted.Select(n => Crime(n.Reference)).Where(c => c is KilledFirst or KilledSecond).Order());

        // What the killed hosts had fetched stays hidden for the listener's 10-minute lease: it comes back as these
        // redeliveries do, to a host whose clock is past every claim's lease (a killed sender's claim is then stale).
        await foreach (var queue in queues.GetQueuesAsync(prefix: pipeline.Settings[Settings.TablePrefix] + "-"))
        {
            await queues.GetQueueClient(queue.Name).ClearMessagesAsync();
        }

        time.Shift = TimeSpan.FromMinutes(7);
        await pipeline.StartAsync();
        await pipeline.SendAsync(waves.SelectMany(w => w));
        await pipeline.WaitUntilIdleAsync();
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);
        var sweep = pipeline.Services.GetRequiredService<NotifyStatusSweep>();
        await sweep.SweepAsync(CancellationToken.None);
        await pipeline.WaitUntilIdleAsync();
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);
        await Task.Delay(300);
        time.Shift += TimeSpan.FromMinutes(7);
        await sweep.SweepAsync(CancellationToken.None);
        await pipeline.WaitUntilIdleAsync();

        // Every victim got its message, settled from the provider's records where its fate was unknown, on its first channel.
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        string[] texts = [Found500, KilledFirst, NoId, KilledSecond, LostOnce, Plain];
        foreach (var (crime, channel) in texts.Select(c => (c, Channel.Sms)).Append((Dropped, Channel.Letter)).Concat(Enumerable.Range(1, 3).Select(i => (EmailCrime(i), Channel.Email))))
        {
            var victim = (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State;
            Assert.True(victim.Contact[channel].Status is MessageStatus.Sent or MessageStatus.Delivered, $"{crime}: {channel} {victim.Contact[channel].Status} ({victim.Contact[channel].Reason})");
            Assert.All(ChannelNames.InOrder.Where(c => c != channel), other => Assert.Equal((crime, other, 0), (crime, other, victim.Contact[other].Attempts)));
        }

        // From the providers' own records: one message each, on one channel; Notify asked to send each text once (the lost one twice, with the same reference).
        Assert.Equal(texts.Append(Dropped).Order<string?>(), pipeline.Notify.Accepted.Select(n => Crime(n.Reference)).Order());
        Assert.Equal(Enumerable.Range(1, 3).Select(EmailCrime), pipeline.EmailsAccepted().Select(e => e.Crime).Order());
        Assert.All(texts.Append(Dropped), c => Assert.Equal((c, c == LostOnce ? 2 : 1), (c, Crimes(proxy).Count(p => p == c))));
    }

    /// <summary>The system's clock, moved on by <see cref="Shift"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
    }

    private static string Text(string crime, int i) => ContactSnapshots.Json(crime, $"07700 900{600 + i}", address: true, $"kill-{i}");

    private static string EmailCrime(int i) => $"DB/26/95100{i}";

    private static string Email(int i) => ContactSnapshots.Json(EmailCrime(i), null, address: false, $"kill-email-{i}", email: $"killed-{i}@example.org");

    private static string? Crime(string? reference) => LocalSettings.Tokens.TryOpenNotify(reference, out var sent) ? sent.CrimeReference : null;

    /// <summary>The crimes whose sends came through the proxy to Notify (POSTs), once per request.</summary>
    private static List<string?> Crimes(MisbehavingNotify proxy) =>
        [.. proxy.Requests.Where(r => r.Path.StartsWith("/v2/notifications/", StringComparison.Ordinal) && r.Reference is not null).Select(r => Crime(r.Reference))];

    /// <summary>Starts the local host as a child process on the test's settings and waits until it has started.</summary>
    private static async Task<Process> StartHostAsync(string settingsFile)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in (string[])["exec", $"{typeof(ChildHost).Assembly.GetName().Name}.dll", "host", settingsFile])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != ChildHost.Started)
        {
        }

        Assert.False(process.HasExited, $"the host ended (exit {(process.HasExited ? process.ExitCode : 0)}): {(process.HasExited ? await errors : "")}");
        return process;
    }

    /// <summary>Waits until the host has recorded what became of each crime's message (the test reads the whole, small table).</summary>
    private static async Task WaitUntilRecordedAsync(Azure.Data.Tables.TableClient victims, (string Crime, MessageStatus Status)[] expected)
    {
        while (true)
        {
            var rows = await victims.QueryAsync<VictimStateEntity>().ToListAsync();
            if (expected.All(e => rows.Any(r => r.CrimeReference == e.Crime && (r.EmailStatus == e.Status || r.SmsStatus == e.Status))))
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task RedeliverEveryWorkItemAsync(PipelineTestHost pipeline, int times)
    {
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            foreach (var channel in ChannelNames.InOrder)
            {
                for (var i = 0; i < times; i++)
                {
                    await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, channel), CancellationToken.None);
                }
            }
        }

        await pipeline.WaitUntilIdleAsync();
    }
}
