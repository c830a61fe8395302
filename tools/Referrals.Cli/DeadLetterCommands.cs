using System.CommandLine;
using System.Globalization;
using System.Text;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Storage;

namespace Referrals.Cli;

/// <summary>`referrals rejected`, `referrals poison` and `referrals replay ID`: what waits for an operator, and sending it again.</summary>
internal static class DeadLetterCommands
{
    /// <summary>The exit code of a replay that sent nothing and kept the dead letter (docs/operations.md, exit codes).</summary>
    public const int NotReplayed = 3;

    public static Command List(DeadLetterKind kind)
    {
        var storage = new StorageCommandOptions();
        var showMessage = new Option<bool>("--show-message") { Description = "Also print each message as it was received (it may hold personal data: handle the output accordingly)." };
        var command = kind == DeadLetterKind.Rejected
            ? new Command("rejected", "List crime-event messages refused as bad input, with the reason, when, and how many deliveries. Fix them at the source, or replay them.")
            : new Command("poison", "List work items that failed for good or ran out of retries, with the reason, and how many messages the host moved to poison queues.");
        command.Options.Add(showMessage);
        storage.AddTo(command);
        var kindName = kind.ToString().ToLowerInvariant();
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, $"No {kindName} messages yet (the dead-letter table does not exist).", async services =>
        {
            var output = parse.InvocationConfiguration.Output;
            var count = 0;
            try
            {
                await foreach (var letter in services.GetRequiredService<DeadLetterStore>().ListAsync(kind, cancellationToken))
                {
                    count++;
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{letter.RowKey}  {letter.LastSeenAt:yyyy-MM-dd HH:mm:ss}Z  queue {letter.Queue}  deliveries {letter.DequeueCount}  seen {letter.Occurrences}x  eventId {letter.EventId ?? "-"}  crime {letter.CrimeReference ?? "-"}  victim {letter.VictimId ?? "-"}"));
                    await output.WriteLineAsync($"    reason: {letter.Reason}");
                    if (parse.GetValue(showMessage))
                    {
                        await output.WriteLineAsync($"    message{(letter.Truncated ? " (first 64 KiB)" : string.Empty)}: {Encoding.UTF8.GetString(letter.Message)}");
                    }
                }
            }
            catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
            {
                // No message was ever dead-lettered on this storage: the pipeline creates the table with the first.
            }

            await output.WriteLineAsync(count == 0 ? $"No {kindName} messages yet." : $"{count} {kindName} message(s).");
            if (kind == DeadLetterKind.Poison)
            {
                var clients = services.GetRequiredService<StorageClients>();
                var options = StorageCommandOptions.PipelineOptionsOf(services);
                foreach (var queue in options.Queues.Select(q => clients.Queues.GetQueueClient(PipelineOptions.PoisonQueueOf(q))))
                {
                    var waiting = await queue.ExistsAsync(cancellationToken) ? (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount : 0;
                    await output.WriteLineAsync($"{waiting} message(s) in the host's poison queue {queue.Name}.");
                }
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    public static Command Replay()
    {
        var id = new Argument<string?>("ID") { Description = "The id printed by `referrals rejected` or `referrals poison`.", Arity = ArgumentArity.ZeroOrOne };
        var poisonQueues = new Option<bool>("--poison-queues") { Description = "Instead of one dead letter: move every message the host itself put in a poison queue back to its queue." };
        var storage = new StorageCommandOptions();
        var operatorOption = new OperatorOption();
        var command = new Command("replay", "Send a dead-lettered message again, exactly as it was received, to the queue it came from, and remove it from the list (a failed email, text message, letter or delivery is made due again). If it fails again it comes back with its new reason. A replay that would send nothing (a text message or letter that may have reached GOV.UK Notify, or nothing left to send) is refused with exit code 3 and the dead letter kept.")
        {
            id,
            poisonQueues,
        };
        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var letterId = parse.GetValue(id);
            if (!parse.GetValue(poisonQueues) && letterId is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("referrals replay: give the ID of a dead letter, or --poison-queues.");
                return 2;
            }

            return await storage.RunAsync(parse, "No dead letters yet.", async services => await ReplayAsync(parse, services, letterId, await operatorOption.OfAsync(parse, storage, cancellationToken), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ReplayAsync(ParseResult parse, IServiceProvider services, string? letterId, string operatorName, CancellationToken cancellationToken)
    {
        if (letterId is null)
        {
            return await ReplayPoisonQueuesAsync(services, parse.InvocationConfiguration.Output, cancellationToken);
        }

        var store = services.GetRequiredService<DeadLetterStore>();
        DeadLetterEntity? letter;
        try
        {
            letter = await store.FindAsync(letterId, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            letter = null;
        }

        if (letter is null)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals replay: no dead letter with id {letterId}.");
            return 1;
        }

        if (letter.Truncated)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("referrals replay: only the first 64 KiB of this message was kept; send the corrected snapshot from the source instead.");
            return 1;
        }

        var outcome = await services.GetRequiredService<DeadLetterReplay>().ReplayAsync(letter, operatorName, cancellationToken);
        if (!outcome.Replayed)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals replay: {letter.RowKey} not replayed, the dead letter is kept: {outcome.Reason}.");
            return NotReplayed;
        }

        await parse.InvocationConfiguration.Output.WriteLineAsync($"Replayed {letter.RowKey} to {outcome.Queue}: {outcome.Reason}.");
        return 0;
    }

    /// <summary>Moves each message of the host's poison queues back to its queue, as received (send first, then delete: at worst a duplicate, which the pipeline ignores).</summary>
    private static async Task<int> ReplayPoisonQueuesAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var clients = services.GetRequiredService<StorageClients>();
        var options = StorageCommandOptions.PipelineOptionsOf(services);
        foreach (var name in options.Queues)
        {
            var poison = clients.RawQueues.GetQueueClient(PipelineOptions.PoisonQueueOf(name));
            var target = clients.RawQueues.GetQueueClient(name);
            var moved = 0;
            while (await poison.ExistsAsync(cancellationToken)
                && (await poison.ReceiveMessagesAsync(maxMessages: 32, cancellationToken: cancellationToken)).Value is { Length: > 0 } messages)
            {
                foreach (var message in messages)
                {
                    await target.SendMessageAsync(message.MessageText, cancellationToken);
                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    moved++;
                }
            }

            await output.WriteLineAsync($"Moved {moved} message(s) from {poison.Name} back to {name}.");
        }

        return 0;
    }
}
