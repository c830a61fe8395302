using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Notify;

namespace Referrals.Cli;

/// <summary>`referrals recheck-letters`: once, after deploying rulebook revision 1.2 (docs/receipts.md, "Letters").</summary>
internal static class RecheckLettersCommand
{
    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var command = new Command("recheck-letters",
            """
            Ask GOV.UK Notify once about every letter counted as delivered in the last 14 days: before revision 1.2 a letter
            counted as delivered when Notify accepted it. Received: nothing changes. Still accepted: it waits for the print run
            again, and the status timer asks until it settles. Failed: the plan goes on (next safe channel, or a ContactNeeded
            task) and it counts as informed, then failed. Reads the month index only; safe to run again.
            """);
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "No letters to look up: nothing has been stored on this storage.", async services =>
        {
            var counts = await services.GetRequiredService<LetterRecheck>().RunAsync(cancellationToken);
            await parse.InvocationConfiguration.Output.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"""
                Letters looked up: {counts.Looked} ({counts.Received} received, {counts.StillAccepted} still waiting for the print run, {counts.Failed} failed after all, {counts.NotAnswered} without an answer: run again later).

                """));
            return counts.NotAnswered == 0 ? 0 : 1;
        }, cancellationToken));
        return command;
    }
}
