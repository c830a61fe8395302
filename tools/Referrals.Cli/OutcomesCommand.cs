using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Outcomes;
using Referrals.Pipeline.Outcomes;
using Referrals.Rendering;

namespace Referrals.Cli;

/// <summary>
/// `referrals outcomes record|import`: the Victim Care Unit records what a service referred by secure email reported
/// (rulebook 1.2 section 11, docs/outcomes.md). A report the rules refuse changes nothing and exits 3 with its rule.
/// </summary>
internal static class OutcomesCommand
{
    private const string NothingYet = "No referrals yet: nothing has been stored on this storage.";

    public static Command Create() => new("outcomes", "What services reported about their referrals (rulebook section 11): record one report, or import a service's file. docs/outcomes.md.")
    {
        Record(),
        OutcomesImport.Create(),
    };

    private static Command Record()
    {
        var id = new Argument<string>("REFERRAL-ID") { Description = "The referral's id as the service has it in the referral document (R- and five groups of five)." };
        var status = new Argument<string>("STATUS") { Description = "Received, ContactAttempted, Contacted, SupportAccepted, SupportDeclined, CouldNotContact, ContactUnsafe or Closed." };
        var reason = new Option<string?>("--reason") { Description = "For CouldNotContact: WrongDetails or NoResponse." };
        var at = new Option<string?>("--at") { Description = "When it happened: ISO 8601, or dd/MM/yyyy HH:mm; without an offset, Europe/London. Default: now." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would change; change nothing." };
        var operatorOption = new OperatorOption();
        var storage = new StorageCommandOptions();
        var command = new Command("record", "Record one report for the referral's own service, audited with the operator. Repeating it changes nothing; a ServiceCouldNotContact task follows WrongDetails and ContactUnsafe.")
        {
            id, status, reason, at, dryRun,
        };
        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, NothingYet, async services =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (OutcomeCsv.Report(parse.GetValue(status), parse.GetValue(reason), parse.GetValue(at), DateTimeOffset.UtcNow, out var rule) is not { } report)
            {
                await error.WriteLineAsync($"referrals outcomes record: {rule}; nothing changed.");
                return TasksCommand.Refused;
            }

            var who = await operatorOption.OfAsync(parse, storage, cancellationToken);
            var result = await services.GetRequiredService<OutcomeDesk>().ReportAsync(parse.GetValue(id)!, null, report, who, parse.GetValue(dryRun), cancellationToken);
            if (result.NotFound || result.Effect == ReportEffect.Refused)
            {
                await error.WriteLineAsync($"referrals outcomes record: {result.Rule}; nothing changed.");
                return result.NotFound ? 1 : TasksCommand.Refused;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{OutcomesImport.Said(result.Effect!.Value, parse.GetValue(dryRun))}: {SafeText.OneLine(parse.GetValue(id)!.Trim())} {report.Code}; current status {result.Current?.ToString() ?? "none"}.");
            return 0;
        }, cancellationToken));
        return command;
    }
}
