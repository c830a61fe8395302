using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Referrals.LocalHost;
using Referrals.Pipeline.Storage;

namespace Referrals.Cli;

/// <summary>`referrals send FILE`: puts JSON Lines snapshots on the crime-events queue, byte for byte, Base64 as the trigger expects.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "JSON Lines snapshots, one per line (LF or CRLF); '-' reads standard input." };
        var storage = new StorageCommandOptions();
        var command = new Command("send",
            """
            Put each line of FILE on the crime-events queue (CRIME_EVENTS_QUEUE) as one message, exactly the bytes of the
            line, Base64-encoded as the queue trigger expects. A line that cannot be a message (not UTF-8 text, larger
            than 64 KiB) is reported by its number and reason on standard error, and the other lines are sent.
            Exit code: 0 when every line was sent, 1 when a line was refused or storage failed, 2 for a command-line mistake.
            """)
        {
            file,
        };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var error = parse.InvocationConfiguration.Error;
            List<ExactLine> lines;
            try
            {
                await using var input = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
                lines = await SnapshotSender.ReadAsync(input, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"referrals send: {path} cannot be read: {ex.Message}");
                return 1;
            }

            return await storage.RunAsync(parse, "Nothing sent.", async services =>
            {
                var queue = services.GetRequiredService<StorageClients>().Queues.GetQueueClient(StorageCommandOptions.PipelineOptionsOf(services).CrimeEventsQueue);
                var (sent, failures) = await SnapshotSender.SendAsync(queue, lines, cancellationToken);
                foreach (var failure in failures)
                {
                    await error.WriteLineAsync($"referrals send: {failure}");
                }

                await parse.InvocationConfiguration.Output.WriteLineAsync($"Sent {sent} snapshots to {queue.Name}; {failures.Count} refused.");
                return failures.Count == 0 ? 0 : 1;
            }, cancellationToken);
        });
        return command;
    }
}
