using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Outcomes;
using Referrals.Pipeline.Outcomes;

namespace Referrals.Cli;

/// <summary>
/// `referrals outcomes import FILE.csv --service ID`: every line is checked first (its shape, then against the referral it
/// names); if any is bad, nothing is applied and each bad line is listed by its number and rule (exit 3). Importing the
/// same file again changes nothing (each report is kept once, with its first reported time).
/// </summary>
internal static class OutcomesImport
{
    /// <summary>A file larger than this is refused unread (20,000 lines of about 80 bytes, with room).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The service's CSV: referral_id,status,reason,at (docs/outcomes.md)." };
        var service = new Option<string>("--service") { Description = "The service the file is from: every referral in it must be one of its own.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every line and say what would change; change nothing." };
        var operatorOption = new OperatorOption();
        var storage = new StorageCommandOptions();
        var command = new Command("import", "Import a service's outcome file: all or nothing, audited with the operator; the same file again changes nothing.") { file, service, dryRun };
        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "No referrals yet: nothing has been stored on this storage.", async services =>
        {
            var (output, error, path) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(file)!);
            if (!path.Exists || path.Length > MaxBytes)
            {
                await error.WriteLineAsync($"referrals outcomes import: {(path.Exists ? "the file is larger than 4 MiB" : "no such file")}; nothing changed.");
                return 1;
            }

            var (lines, errors) = OutcomeCsv.Read(await File.ReadAllBytesAsync(path.FullName, cancellationToken), DateTimeOffset.UtcNow);
            var desk = services.GetRequiredService<OutcomeDesk>();
            var serviceId = parse.GetValue(service)!;
            var who = $"{await operatorOption.OfAsync(parse, storage, cancellationToken)} (file from {serviceId})";
            var checkedLines = new List<(OutcomeLine Line, OutcomeResult Result)>();
            foreach (var line in lines)
            {
                var result = await desk.ReportAsync(line.PublicId, serviceId, line.Report, who, dryRun: true, cancellationToken);
                checkedLines.Add((line, result));
            }

            var refused = errors.Concat(checkedLines.Where(c => c.Result.NotFound || c.Result.Effect == ReportEffect.Refused).Select(c => new LineError(c.Line.Line, c.Result.Rule!))).OrderBy(e => e.Line).ToList();
            if (refused.Count > 0)
            {
                foreach (var bad in refused)
                {
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"line {bad.Line}: {bad.Rule}"));
                }

                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"referrals outcomes import: {refused.Count} bad line(s); nothing applied."));
                return TasksCommand.Refused;
            }

            var dry = parse.GetValue(dryRun);
            var effects = new List<ReportEffect>();
            foreach (var (line, result) in checkedLines)
            {
                var effect = dry ? result.Effect!.Value : (await desk.ReportAsync(line.PublicId, serviceId, line.Report, who, dryRun: false, cancellationToken)).Effect ?? ReportEffect.Refused;
                effects.Add(effect);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"line {line.Line}: {Said(effect, dry)}: {line.PublicId} {line.Report.Code}"));
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{(dry ? "Dry run: " : string.Empty)}{effects.Count(e => e == ReportEffect.Applied)} {(dry ? "would be recorded" : "recorded")}, {effects.Count(e => e == ReportEffect.Repeated)} already recorded, {effects.Count(e => e == ReportEffect.Ignored)} ignored (erased){(dry ? "; nothing changed" : string.Empty)}."));
            return 0;
        }, cancellationToken));
        return command;
    }

    public static string Said(ReportEffect effect, bool dryRun) => effect switch
    {
        ReportEffect.Applied => dryRun ? "Would record" : "Recorded",
        ReportEffect.Repeated => "Already recorded",
        ReportEffect.Ignored => "Ignored (the victim's data was erased)",
        _ => "Refused",
    };
}
