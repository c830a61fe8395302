using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Cli;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Storage;

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
        Assert.Equal("Sent", Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
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
            Environment.SetEnvironmentVariable("EMAIL_QUEUE", pipeline.Options.EmailQueue);
            var (listed, listing) = await pipeline.CliAsync("poison");
            var (exitCode, output) = await pipeline.CliAsync("replay", "--poison-queues");
            await pipeline.WaitUntilIdleAsync();

            Assert.Equal(0, listed);
            Assert.Contains($"1 message(s) in the host's poison queue {poisonQueue.Name}", listing, StringComparison.Ordinal);
            Assert.Equal(0, exitCode);
            Assert.Contains($"Moved 1 message(s) from {poisonQueue.Name}", output, StringComparison.Ordinal);
            Assert.Equal("Sent", Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
            Assert.Equal(0, (await poisonQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CRIME_EVENTS_QUEUE", null);
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
}
