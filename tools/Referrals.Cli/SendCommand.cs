using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Cli.LocalHost;
using Referrals.Pipeline.Storage;

namespace Referrals.Cli;

/// <summary>`referrals send FILE`: puts JSON Lines snapshots on the crime-events queue, Base64 as the trigger expects.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "JSON Lines snapshots, one per line; '-' reads standard input." };
        var storage = new StorageCommandOptions();
        var command = new Command("send", "Put each line of FILE on the crime-events queue (CRIME_EVENTS_QUEUE) as one message, Base64-encoded as the queue trigger expects.") { file };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var services = storage.Build(parse);
            var queue = services.GetRequiredService<StorageClients>().Queues.GetQueueClient(StorageCommandOptions.PipelineOptionsOf(services).CrimeEventsQueue);
            var path = parse.GetValue(file)!;
            using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : File.OpenText(path);
            var (sent, failures) = await SnapshotSender.SendAsync(queue, reader, cancellationToken);
            failures.ForEach(parse.InvocationConfiguration.Error.WriteLine);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Sent {sent} snapshots to {queue.Name}; {failures.Count} refused.");
            return failures.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
