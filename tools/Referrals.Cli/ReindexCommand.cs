using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Indexes;

namespace Referrals.Cli;

/// <summary>`referrals reindex`: once, after deploying the month index on a store written before it (docs/operations.md).</summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var command = new Command("reindex",
            """
            Write the month index and the dead-letter index from the state rows and dead letters already stored, and set the
            retention purge's cursors: once, after deploying this version on a store written by an earlier one. Reads every
            row (the one whole-table read the project makes); safe to run again and while the pipeline runs.
            """);
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "Nothing to index: nothing has been stored on this storage.", async services =>
        {
            var counts = await services.GetRequiredService<IndexMigration>().RunAsync(cancellationToken);
            await parse.InvocationConfiguration.Output.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"""
                Indexed {counts.Crimes} crime(s), {counts.Victims} victim(s), {counts.Deliveries} deliveries, {counts.TallyEvents} tally event(s) and {counts.DeadLetters} dead letter(s) ({counts.Transactions} index transactions).

                """));
            return 0;
        }, cancellationToken));
        return command;
    }
}
