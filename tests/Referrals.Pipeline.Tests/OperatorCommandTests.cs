using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Cli;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>`referrals rejected`, `poison`, `replay` and `send` against a running pipeline on Azurite.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class OperatorCommandTests(AzuriteFixture azurite)
{

    [Fact]
    public async Task A_rejected_message_is_listed_with_its_reason()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[12]]);
        await pipeline.WaitUntilIdleAsync();

        var (exitCode, output) = await pipeline.CliAsync("rejected", "--show-message");

        Assert.Equal(0, exitCode);
        Assert.Contains("eventId bad-1", output, StringComparison.Ordinal);
        Assert.Contains("reason: victims must list 1 to 50 victims, not 0", output, StringComparison.Ordinal);
        Assert.Contains("message: ", output, StringComparison.Ordinal);
        Assert.Contains("1 rejected message(s).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_email_is_listed_as_poison_and_sent_when_replayed_after_the_fault_is_fixed()
    {
        await using var pipeline = new PipelineTestHost(azurite, call => call == 1 ? (400, null) : (202, null));
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var poison = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));

        var (listed, listing) = await pipeline.CliAsync("poison");
        var (replayed, replay) = await pipeline.CliAsync("replay", poison.RowKey);
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(0, listed);
        Assert.Contains(poison.RowKey, listing, StringComparison.Ordinal);
        Assert.Contains("reason: SendGrid refused the email: 400", listing, StringComparison.Ordinal);
        Assert.Equal(0, replayed);
        Assert.Contains($"Replayed {poison.RowKey}", replay, StringComparison.Ordinal);
        Assert.Single(pipeline.EmailsAccepted());
        Assert.Equal(MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
    }

    [Fact]
    public async Task The_old_entitlement_emails_queue_is_still_sent_from_and_its_dead_letters_replay_to_the_messages_queue()
    {
        await using var pipeline = new PipelineTestHost(azurite, call => call == 1 ? (400, null) : (202, null));
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var poison = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));

        // As the email step kept it before issue 19: the work item's JSON, Base64 as the queue held it, from entitlement-emails.
        var deadLetters = pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.DeadLetterTable);
        var old = $$"""{"crimeReference":"{{poison.CrimeReference}}","victimId":"{{poison.VictimId}}","version":1,"id":"email:{{poison.CrimeReference}}:{{poison.VictimId}}"}""";
        poison.Queue = pipeline.Options.OldEmailQueue;
        poison.Message = Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(old)));
        await deadLetters.UpdateEntityAsync(poison, poison.ETag);
        try
        {
            Environment.SetEnvironmentVariable("MESSAGE_QUEUE", pipeline.Options.MessageQueue);
            Environment.SetEnvironmentVariable("EMAIL_QUEUE", pipeline.Options.OldEmailQueue);
            var (replayed, output) = await pipeline.CliAsync("replay", poison.RowKey);
            await pipeline.WaitUntilIdleAsync();

            Assert.Equal(0, replayed);
            Assert.Equal($"Replayed {poison.RowKey} to {pipeline.Options.MessageQueue}: the failed email is queued again.", output.Trim());
            Assert.Single(pipeline.EmailsAccepted());
            Assert.Equal(MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MESSAGE_QUEUE", null);
            Environment.SetEnvironmentVariable("EMAIL_QUEUE", null);
        }

        // A work item still on the old queue when the release comes is sent by the same handler (its trigger stays for one release).
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        var victim = Assert.Single(await pipeline.VictimsAsync()).ToStored();
        Assert.NotNull(await states.TryReplaceAsync(victim, victim.State.With(Referrals.Contact.Channel.Email, victim.State.Contact.Email with { Status = MessageStatus.Queued }), CancellationToken.None));
        await pipeline.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(pipeline.Options.OldEmailQueue).SendMessageAsync(old);
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(2, pipeline.EmailsAccepted().Count);
        Assert.Equal(MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
    }

    [Fact]
    public async Task A_text_message_Notify_refused_is_sent_by_its_own_channel_when_replayed_after_the_fault_is_fixed()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["Notify:ApiKey"] = "revoked_key-" + LocalNotify.ServiceId + "-00000000-0000-4000-8000-000000000000";
        await pipeline.StartAsync();
        await pipeline.SendAsync([ContactSnapshots.Json("DB/26/900401", "07700 900401", address: false, "replay-1")]);
        await pipeline.WaitUntilIdleAsync();
        var poison = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.Equal(MessageStatus.Failed, Assert.Single(await pipeline.VictimsAsync()).SmsStatus);
        Assert.Contains("Notify refused the message: 403", poison.Reason, StringComparison.Ordinal);

        await pipeline.StopAsync();
        pipeline.Settings["Notify:ApiKey"] = LocalNotify.ApiKey;
        await pipeline.StartAsync();
        var (exitCode, output) = await pipeline.CliAsync("replay", poison.RowKey, "--operator", "test operator");
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal($"Replayed {poison.RowKey} to {poison.Queue}: the failed text message is queued again.", output.Trim());
        var text = Assert.Single(pipeline.Notify.Accepted);
        Assert.True(LocalHost.LocalSettings.Tokens.TryOpenNotify(text.Reference, out var send));
        Assert.Equal((Referrals.Contact.Channel.Sms, 2), (send.Channel, send.Attempt));
        Assert.Equal((MessageStatus.Sent, 2), (Assert.Single(await pipeline.VictimsAsync()).SmsStatus, (await pipeline.VictimsAsync())[0].ToStored().State.Contact.Sms.Attempts));
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
    }

    [Fact]
    public async Task Messages_the_host_put_in_a_poison_queue_can_be_moved_back_and_are_processed()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var poisonQueue = pipeline.Services.GetRequiredService<StorageClients>().RawQueues.GetQueueClient(PipelineOptions.PoisonQueueOf(pipeline.Options.CrimeEventsQueue));
        await poisonQueue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Samples.Lines[0])));
        try
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", pipeline.Options.CrimeEventsQueue);
            Environment.SetEnvironmentVariable("MESSAGE_QUEUE", pipeline.Options.MessageQueue);
            Environment.SetEnvironmentVariable("EMAIL_QUEUE", pipeline.Options.OldEmailQueue);
            var (listed, listing) = await pipeline.CliAsync("poison");
            var (exitCode, output) = await pipeline.CliAsync("replay", "--poison-queues");
            await pipeline.WaitUntilIdleAsync();

            Assert.Equal(0, listed);
            Assert.Contains($"1 message(s) in the host's poison queue {poisonQueue.Name}", listing, StringComparison.Ordinal);
            Assert.Equal(0, exitCode);
            Assert.Contains($"Moved 1 message(s) from {poisonQueue.Name}", output, StringComparison.Ordinal);
            Assert.Equal(MessageStatus.Sent, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
            Assert.Equal(0, (await poisonQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", null);
            Environment.SetEnvironmentVariable("MESSAGE_QUEUE", null);
            Environment.SetEnvironmentVariable("EMAIL_QUEUE", null);
        }
    }

    [Fact]
    public async Task Replaying_an_unknown_id_is_a_clear_error()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        var (exitCode, output) = await pipeline.CliAsync("replay", "no-such-id");

        Assert.Equal(1, exitCode);
        Assert.Contains("no dead letter with id no-such-id", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_puts_each_line_on_the_queue_for_the_trigger()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"send-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, Samples.Lines[..2], Encoding.UTF8);
        try
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", pipeline.Options.CrimeEventsQueue);
            var (exitCode, output) = await pipeline.CliAsync("send", file);
            await pipeline.WaitUntilIdleAsync();

            Assert.Equal(0, exitCode);
            Assert.Contains("Sent 2 snapshots", output, StringComparison.Ordinal);
            Assert.Equal(2, (await pipeline.VictimsAsync()).Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", null);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Send_puts_exactly_the_bytes_of_each_line_on_the_queue_and_reports_a_line_that_is_not_UTF8_without_its_content()
    {
        var queueName = $"send-{Guid.NewGuid():N}"[..20];
        var crlf = Encoding.UTF8.GetBytes(Samples.Lines[0]);
        var bareCr = Encoding.UTF8.GetBytes(Samples.Lines[1].Replace("{\"", "{\r\"", StringComparison.Ordinal));
        byte[] notUtf8 = [.. Encoding.UTF8.GetBytes(Samples.Lines[2][..40]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(Samples.Lines[2][40..])];
        var file = Path.Combine(Path.GetTempPath(), $"send-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllBytesAsync(file, [.. crlf, .. "\r\n"u8, .. notUtf8, .. "\n"u8, .. bareCr, .. "\n"u8]);
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", queueName);
            var exitCode = await CliApp.InvokeAsync(["send", file, "--storage", azurite.ConnectionString], new InvocationConfiguration { Output = output, Error = error });

            Assert.Equal(1, exitCode);
            Assert.Contains("Sent 2 snapshots", output.ToString(), StringComparison.Ordinal);
            Assert.Equal("referrals send: line 2: message is not valid UTF-8 text", error.ToString().Trim());
            var queue = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, queueName, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
            var sent = (await queue.ReceiveMessagesAsync(maxMessages: 10)).Value.Select(m => m.Body.ToArray()).ToList();
            Assert.Equal(2, sent.Count);
            Assert.Equal(crlf, sent[0]);
            Assert.Equal(bareCr, sent[1]);
            await queue.DeleteAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", null);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task On_storage_where_nothing_was_stored_yet_each_command_says_so_in_one_line()
    {
        var prefix = $"t{Guid.NewGuid():N}"[..9];

        var rejected = await RunCliAsync("rejected", "--storage", azurite.ConnectionString, "--table-prefix", prefix);
        var poison = await RunCliAsync("poison", "--storage", azurite.ConnectionString, "--table-prefix", prefix);
        var tallies = await RunCliAsync("tallies", "--from", "2026-01", "--to", "2026-02", "--storage", azurite.ConnectionString, "--table-prefix", prefix);
        var replay = await RunCliAsync("replay", "no-such-id", "--storage", azurite.ConnectionString, "--table-prefix", prefix);

        Assert.Equal((0, "No rejected messages yet.", ""), (rejected.ExitCode, rejected.Output.Split('\n')[0].Trim(), rejected.Error));
        Assert.Equal((0, "No poison messages yet.", ""), (poison.ExitCode, poison.Output.Split('\n')[0].Trim(), poison.Error));
        Assert.Equal(0, tallies.ExitCode);
        Assert.StartsWith("No tallies yet", tallies.Output, StringComparison.Ordinal);
        Assert.Equal((1, "referrals replay: no dead letter with id no-such-id."), (replay.ExitCode, replay.Error.Trim()));
    }

    [Fact]
    public async Task Run_on_a_given_storage_sends_every_good_line_past_a_bad_one_logs_with_verbose_and_leaves_its_work_for_the_operator_commands()
    {
        var outbox = Path.Combine(Path.GetTempPath(), $"referrals-outbox-{Guid.NewGuid():N}");
        var file = Path.Combine(Path.GetTempPath(), $"run-{Guid.NewGuid():N}.jsonl");
        byte[] notUtf8 = [.. "{\"eventId\":\""u8, 0xFF, .. "\"}"u8];
        await File.WriteAllBytesAsync(file, [.. Encoding.UTF8.GetBytes(Samples.Lines[0]), .. "\n"u8, .. notUtf8, .. "\n"u8, .. Encoding.UTF8.GetBytes(Samples.Lines[12]), .. "\n"u8]);
        try
        {
            var run = await RunCliAsync("run", "--storage", azurite.ConnectionString, "--send", file, "--outbox", outbox, "--timeout", "60", "--verbose");
            var rejected = await RunCliAsync("rejected", "--storage", azurite.ConnectionString);

            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.Contains("Sent 2 snapshots", run.Output, StringComparison.Ordinal);
            Assert.Contains("not sent: line 2: message is not valid UTF-8 text", run.Output, StringComparison.Ordinal);
            Assert.Contains(" info Referrals.", run.Error, StringComparison.Ordinal);
            Assert.Contains("eventId bad-1", rejected.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(outbox, Outbox.MarkerName)));
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(outbox, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exitCode = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
