using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome", end to end on Azurite: GOV.UK Notify (the stand-in) takes each text
/// message or letter, and a proxy in front of it (<see cref="MisbehavingNotify"/>) then answers 500, 502, 503 or 504,
/// drops the connection, or answers 201 without an id. Each
/// victim gets one request per channel across the gateway's retries, three redeliveries of every work item and a host
/// restart; the message is Unconfirmed with a dead letter naming the reference to look up, the plan never moves on to
/// the next channel, and `referrals replay` (the CLI as a process) runs the status timer's settlement, which is not due
/// yet: it sends nothing and keeps the dead letter (UnknownSettlementTests settles them).
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class NotifyUnknownOutcomeTests(AzuriteFixture azurite)
{
    private static readonly NotifyFault[] Faults =
        [NotifyFault.Status500, NotifyFault.Status502, NotifyFault.Status503, NotifyFault.Status504, NotifyFault.DropConnection, NotifyFault.NoId];

    /// <summary>One crime per fault and channel: a text-first victim (mobile and address safe) or a letter-only victim.</summary>
    private static readonly (string Crime, Channel Channel, NotifyFault Fault)[] Victims =
        [.. Faults.SelectMany((fault, i) => new[] { ($"DB/26/9001{i:D2}", Channel.Sms, fault), ($"DB/26/9002{i:D2}", Channel.Letter, fault) })];

    private static string Snapshot((string Crime, Channel Channel, NotifyFault Fault) v, int i) =>
        ContactSnapshots.Json(v.Crime, v.Channel == Channel.Sms ? $"07700 900{300 + i}" : null, address: true, $"unknown-outcome-{i}");

    [Fact]
    public async Task A_message_Notify_may_have_taken_is_sent_once_across_retries_redeliveries_and_a_restart_and_replay_waits_for_its_settlement()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await using var proxy = await MisbehavingNotify.StartAsync(pipeline.Notify.Url);
        var faults = Victims.ToDictionary(v => v.Crime, v => v.Fault, StringComparer.Ordinal);
        proxy.Fault = reference => LocalSettings.Tokens.TryOpenNotify(reference, out var sent) ? faults[sent.CrimeReference] : NotifyFault.None;
        pipeline.Settings["Notify:BaseUrl"] = proxy.Url;
        var snapshots = Victims.Select(Snapshot).ToList();
        await pipeline.StartAsync();

        await pipeline.SendAsync(snapshots);
        await pipeline.WaitUntilIdleAsync();
        await RedeliverEveryWorkItemAsync(pipeline, times: 3);
        await pipeline.StopAsync();
        await pipeline.StartAsync();
        await pipeline.SendAsync(snapshots);
        await RedeliverEveryWorkItemAsync(pipeline, times: 1);

        // One request per victim, on the plan's first channel only (Notify accepted each): never again, never the next channel.
        Assert.Equal(
            Victims.Select(v => (v.Crime, v.Channel == Channel.Sms ? "sms" : "letter", v.Fault)).Order(),
            proxy.Requests.Select(r => (LocalSettings.Tokens.TryOpenNotify(r.Reference, out var sent) ? sent.CrimeReference : "?", r.Path[(r.Path.LastIndexOf('/') + 1)..], r.Fault)).Order());
        Assert.Equal(Victims.Length, pipeline.Notify.Accepted.Count);
        var victims = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);
        Assert.All(Victims, v => Assert.Equal(
            v.Channel == Channel.Sms ? (MessageStatus.Unconfirmed, MessageStatus.NotNeeded) : (MessageStatus.Suppressed, MessageStatus.Unconfirmed),
            (victims[v.Crime].SmsStatus, victims[v.Crime].LetterStatus)));

        // Each dead letter names the reference to look up in Notify.
        var letters = await pipeline.DeadLettersAsync(DeadLetterKind.Poison);
        Assert.Equal(Victims.Select(v => v.Crime).Order(), letters.Select(l => l.CrimeReference!).Order());
        Assert.All(letters, l => Assert.Contains(
            $"check GOV.UK Notify for this message (GET /v2/notifications?reference={MessageToken.NotifyReference(LocalSettings.Tokens, l.CrimeReference!, "V1", Victims.Single(v => v.Crime == l.CrimeReference).Channel, 1)})",
            l.Reason,
            StringComparison.Ordinal));

        // The operator's replay of an unconfirmed text refuses, says what to check, keeps the dead letter and sends nothing.
        var text = letters.Single(l => l.CrimeReference == Victims.First(v => v.Channel == Channel.Sms).Crime);
        var (exitCode, stdout, stderr) = await CliProgram.RunAsync("replay", text.RowKey, "--storage", azurite.ConnectionString, "--table-prefix", pipeline.Options.TablePrefix, "--operator", "test operator");
        await pipeline.WaitUntilIdleAsync();

        Assert.True(exitCode == 3, $"exit {exitCode}: {stdout}{stderr}");
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Rulebook 1.2 section 6: replay runs the status timer's settlement, which asks Notify only from the send's timeout plus 5 minutes.
        var expected = $@"^referrals replay: {System.Text.RegularExpressions.Regex.Escape(text.RowKey)} not replayed, the dead letter is kept: the text message's outcome is unknown and the provider's records are asked from \d{{4}}-\d\d-\d\d \d\d:\d\d UTC \(the status timer does it then\); nothing was sent\.$";
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(line, expected), line);
        Assert.Contains(await pipeline.DeadLettersAsync(DeadLetterKind.Poison), l => l.RowKey == text.RowKey);
        Assert.Equal((Victims.Length, Victims.Length), (proxy.Requests.Count, pipeline.Notify.Requests.Count));
        Assert.Equal(MessageStatus.Unconfirmed, (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == text.CrimeReference).SmsStatus);
    }

    private static async Task RedeliverEveryWorkItemAsync(PipelineTestHost pipeline, int times)
    {
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            foreach (var channel in new[] { Channel.Sms, Channel.Letter })
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
