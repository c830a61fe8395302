using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Privacy;
using Referrals.Privacy;
using Referrals.Rendering;

namespace Referrals.Cli;

/// <summary>`referrals explain`, `subject-access`, `erase` and `purge --dry-run`: a victim's records, and retention (docs/privacy.md).</summary>
internal static class PrivacyCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,

        // Read by people: "+" and non-ASCII letters as they are, not as \u escapes (the document is a file, never HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static Command Explain()
    {
        var (crime, victim) = Ids();
        var format = new Option<string>("--format") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var storage = new StorageCommandOptions();
        var command = new Command("explain", "A victim's history from the audit trail, oldest first, with every reason: what each snapshot decided, under which rules, and what was sent.")
        {
            crime,
            victim,
            format,
        };
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "No audit trail yet: nothing has been stored on this storage.", async services =>
        {
            var (crimeReference, victimId) = (parse.GetValue(crime)!, parse.GetValue(victim)!);
            var history = await services.GetRequiredService<VictimHistory>().HistoryAsync(crimeReference, victimId, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            if (history.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals explain: no audit trail for crime {SafeText.OneLine(crimeReference)} victim {SafeText.OneLine(victimId)}.");
                return 1;
            }

            await output.WriteAsync(parse.GetValue(format) == "json" ? JsonSerializer.Serialize(history, Json) + Environment.NewLine : Text(crimeReference, victimId, history));
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>`referrals subject-access`'s exit code when nothing is held about the victim (documented in docs/privacy.md).</summary>
    public const int NothingHeld = 3;

    public static Command SubjectAccess()
    {
        var (crime, victim) = Ids();
        var output = new Option<FileInfo>("--out")
        {
            Description = "The JSON file to write; the page for the victim is written beside it with the extension .html. Both hold the victim's personal data: handle them accordingly. Neither may exist.",
            Required = true,
        };
        var operatorOption = new OperatorOption();
        var storage = new StorageCommandOptions();
        var command = new Command("subject-access", $"Everything held about a victim, as JSON (machine-readable) and as a page in plain words for the victim (HTML), for a subject-access request. Audited. Exit {NothingHeld}: nothing is held about them.")
        {
            crime,
            victim,
            output,
        };
        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "Nothing is held: nothing has been stored on this storage.", async services =>
        {
            var file = parse.GetValue(output)!;
            var page = new FileInfo(Path.ChangeExtension(file.FullName, ".html"));
            if (file.Exists || page.Exists || page.FullName == file.FullName)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals subject-access: {SafeText.OneLine(file.FullName)} or {SafeText.OneLine(page.FullName)} exists (or they are the same file); give a new .json file.");
                return 1;
            }

            var (crimeReference, victimId) = (parse.GetValue(crime)!, parse.GetValue(victim)!);
            var document = await services.GetRequiredService<SubjectAccess>().ExportAsync(crimeReference, victimId, await operatorOption.OfAsync(parse, storage, cancellationToken), cancellationToken);
            if (document is null)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"Nothing is held about crime {SafeText.OneLine(crimeReference)} victim {SafeText.OneLine(victimId)}: no file written.");
                return NothingHeld;
            }

            await File.WriteAllTextAsync(file.FullName, document.ToJsonString(Json) + Environment.NewLine, new UTF8Encoding(false), cancellationToken);
            await File.WriteAllTextAsync(page.FullName, SubjectAccessPage.Render(document), new UTF8Encoding(false), cancellationToken);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Wrote everything held about the victim to {SafeText.OneLine(file.FullName)} and, for them to read, {SafeText.OneLine(page.FullName)}.");
            return 0;
        }, cancellationToken, NothingHeld));
        return command;
    }

    public static Command Erase()
    {
        var (crime, victim) = Ids();
        var reason = new Option<string>("--reason") { Description = "Why (e.g. an erasure request's reference, or 'record created in error'): kept in the audit trail.", Required = true };
        var operatorOption = new OperatorOption();
        var storage = new StorageCommandOptions();
        var command = new Command("erase", "Remove a victim's personal data now: from the stored snapshot and every later one, partners' answers, pending deliveries and dead letters. No message or referral for them ever again. The audit keeps the reason. Safe to repeat.")
        {
            crime,
            victim,
            reason,
        };
        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "Nothing is held: nothing has been stored on this storage.", async services =>
        {
            var (crimeReference, victimId, why) = (parse.GetValue(crime)!, parse.GetValue(victim)!, SafeText.OneLine(parse.GetValue(reason))!);
            if (string.IsNullOrWhiteSpace(why))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("referrals erase: give a --reason.");
                return 2;
            }

            var outcome = await services.GetRequiredService<Erasure>().EraseAsync(crimeReference, victimId, why, await operatorOption.OfAsync(parse, storage, cancellationToken), cancellationToken);
            var (shown, exitCode) = outcome switch
            {
                ErasureOutcome.Erased => ($"Erased the personal data of crime {SafeText.OneLine(crimeReference)} victim {SafeText.OneLine(victimId)}; later snapshots will not store or act on them.", 0),
                ErasureOutcome.AlreadyErased => ($"Crime {SafeText.OneLine(crimeReference)} victim {SafeText.OneLine(victimId)} was erased before; what was left of their deliveries and dead letters is tidied.", 0),
                _ => ($"referrals erase: nothing is held for crime {SafeText.OneLine(crimeReference)} victim {SafeText.OneLine(victimId)}.", 1),
            };
            await (exitCode == 0 ? parse.InvocationConfiguration.Output : parse.InvocationConfiguration.Error).WriteLineAsync(shown);
            return exitCode;
        }, cancellationToken));
        return command;
    }

    public static Command Purge()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Required: count what the retention function would remove now, and change nothing." };
        var storage = new StorageCommandOptions();
        var command = new Command("purge", "What the retention function (PurgePersonalData) would remove now, as counts. The purge itself runs on its timer.")
        {
            dryRun,
        };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(dryRun))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("referrals purge: only --dry-run is offered here; the purge itself runs as the PurgePersonalData function on RETENTION_SCHEDULE.");
                return 2;
            }

            return await storage.RunAsync(parse, "Nothing to purge: nothing has been stored on this storage.", async services =>
            {
                var counts = await services.GetRequiredService<RetentionPurge>().RunAsync(dryRun: true, cancellationToken);
                await parse.InvocationConfiguration.Output.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"""
                    The retention function would remove now:
                      {counts.Crimes} crime snapshot(s) past the personal-data period ({counts.Victims} victim(s))
                      {counts.PartnerAnswers} partner answer(s) on delivery and email rows
                      {counts.DeadLetters} dead letter(s) past the dead-letter period
                      {counts.AuditRows} audit row(s) past the audit period
                      {counts.RecipientRows} recipient index address row(s) past bounce matching
                      {counts.CrimesForgotten} crime(s) whose state rows are past the audit period

                    """));
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    private static (Argument<string> Crime, Argument<string> Victim) Ids() =>
        (new Argument<string>("CRIME") { Description = "The crime reference, as in the snapshot." },
         new Argument<string>("VICTIM") { Description = "The victim id, as in the snapshot." });

    private static string Text(string crimeReference, string victimId, IReadOnlyList<AuditEntry> history)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Crime {SafeText.OneLine(crimeReference)}, victim {SafeText.OneLine(victimId)}: {history.Count} audit entries, oldest first.\n");
        foreach (var entry in history)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{entry.At.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}  {entry.Action}");
            if (entry.CrimeVersion is { } version)
            {
                text.Append(CultureInfo.InvariantCulture, $"  crime version {version}");
            }

            if (entry.EventId is { } eventId)
            {
                text.Append(CultureInfo.InvariantCulture, $"  event {SafeText.OneLine(eventId)}");
            }

            if (entry.RulesVersion is { } rules)
            {
                text.Append(CultureInfo.InvariantCulture, $"  rules {SafeText.OneLine(rules)}");
            }

            if (entry.Operator is { } who)
            {
                text.Append(CultureInfo.InvariantCulture, $"  by {SafeText.OneLine(who)}");
            }

            text.Append('\n');
            foreach (var fact in entry.Facts)
            {
                text.Append(CultureInfo.InvariantCulture, $"    {SafeText.OneLine(fact)}\n");
            }

            foreach (var reason in entry.Reasons)
            {
                text.Append(CultureInfo.InvariantCulture, $"    because: {SafeText.OneLine(reason)}\n");
            }
        }

        return text.ToString();
    }
}
