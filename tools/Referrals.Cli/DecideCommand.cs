using System.CommandLine;
using System.Globalization;
using MimeKit;

namespace Referrals.Cli;

/// <summary>`referrals decide FILE`: the dry run of the rules over a JSON Lines file of snapshots.</summary>
internal static class DecideCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "JSON Lines file of crime-event-v1 snapshots, one per line; '-' reads standard input.",
        };
        var emails = new Option<DirectoryInfo?>("--emails")
        {
            Description = "Also write, into this folder, each entitlement email that would be sent (.eml: MIME, plain text and HTML), and the text message (.txt) and letter (.html) each safe channel would carry. Files are named crime_vVERSION_victim_hash_channel, the same in every run.",
        };
        var sender = new Option<string>("--from")
        {
            Description = "Sender shown in the .eml files.",
            DefaultValueFactory = _ => "Victim Care Unit <victim.care@police.example>",
        };
        var rulesFiles = new RulesFileOptions();

        var command = new Command("decide",
            """
            Dry run: decide what the rules would do for every victim of every snapshot, without sending anything.
            Writes one JSON object per victim per line to standard output, in the format of section 8 of the
            referral rulebook. A line that breaks the crime-event contract becomes
            {"eventId":…,"rejected":true,"reason":"line N: …"} and the run goes on.
            It sees snapshots only: a consent decision the Victim Care Unit recorded (`referrals tasks close`) is
            applied by the running pipeline, not here, and the history across snapshots is not applied either.
            A summary goes to standard error. Exit code: 0 when every line was read (rejected lines included),
            1 when the input or a rules file could not be read, 2 for a command-line mistake.
            """)
        {
            file,
            emails,
            sender,
        };
        rulesFiles.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var error = parse.InvocationConfiguration.Error;

            // Both are command-line mistakes, so they are caught before any output: found later, an unusable
            // --emails stopped the run halfway with exit 1, and a bad --from surfaced as a parser's exception message.
            if (!MailboxAddress.TryParse(parse.GetValue(sender), out var from))
            {
                await error.WriteLineAsync($"referrals decide: --from '{parse.GetValue(sender)}' is not an email address (e.g. \"Victim Care Unit <victim.care@police.example>\").");
                return CliApp.UsageError;
            }

            if (parse.GetValue(emails) is { } emailsFolder && FileInTheWay(emailsFolder) is { } blocking)
            {
                await error.WriteLineAsync($"referrals decide: --emails {emailsFolder.FullName} is not a folder: {blocking} is a file.");
                return CliApp.UsageError;
            }

            try
            {
                var data = rulesFiles.Load(parse);
                await using var input = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
                await using var output = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
                var run = new DryRun(data.Rules, data.Composer, from, data.TextMessages, data.Letters);
                var summary = await run.RunAsync(input, output, parse.GetValue(emails)?.FullName, cancellationToken);
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"referrals decide: {summary.Lines} lines, {summary.Snapshots} snapshots, {summary.Victims} victim decisions, {summary.Rejected} rejected, {summary.EmailsWritten} emails written, {summary.TextsWritten} text messages written, {summary.LettersWritten} letters written; snapshots only (a decision the Victim Care Unit recorded is not seen here)"));
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ParseException)
            {
                await error.WriteLineAsync($"referrals decide: {ex.Message}");
                return 1;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failure on one line is a rejected line; this is the run itself failing. One line, no stack trace.
                await error.WriteLineAsync($"referrals decide: the run stopped ({ex.GetType().Name}: {ex.Message})");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The folder itself or the nearest existing folder above it, when that is a file; else null.</summary>
    private static string? FileInTheWay(DirectoryInfo folder)
    {
        for (var path = folder.FullName; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path;
            }

            if (Directory.Exists(path))
            {
                return null;
            }
        }

        return null;
    }
}
