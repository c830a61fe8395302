using System.CommandLine;
using Referrals.Messages;

namespace Referrals.Cli;

/// <summary>
/// `referrals templates`: the GOV.UK Notify templates to paste into the force's Notify service, one file each, with the
/// setting that takes its id. The bilingual letter's Welsh half is derived here from the Welsh letter (its names end
/// "_cy"), so there is no second copy in the repository to drift.
/// </summary>
internal static class TemplatesCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the templates to.", Required = true };
        var templates = new Option<DirectoryInfo?>("--templates") { Description = "The force's own templates folder (Rules:MessageTemplatesPath); default: the shipped ones." };
        var force = new Option<bool>("--force") { Description = "Replace template files already in the folder (without it, nothing there is overwritten)." };
        var command = new Command("templates", "Write the text message and letter templates to paste into GOV.UK Notify, and say which setting takes each one's id.")
        {
            output,
            templates,
            force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(output)!.FullName;
            try
            {
                var set = parse.GetValue(templates) is { } own ? MessageTemplates.Load(own.FullName) : MessageTemplates.LoadDefault();
                var files = Files(set).ToList();
                if (File.Exists(folder))
                {
                    throw new IOException($"--out must be a folder, and {folder} is a file.");
                }

                if (!parse.GetValue(force) && files.Select(f => Path.Combine(folder, f.File)).FirstOrDefault(File.Exists) is { } existing)
                {
                    throw new IOException($"{existing} is already there and was left as it is: choose a new folder, or add --force to replace the templates in it.");
                }

                Directory.CreateDirectory(folder);
                foreach (var (file, setting, content) in files)
                {
                    await File.WriteAllTextAsync(Path.Combine(folder, file), content.TrimEnd() + "\n", cancellationToken);
                    await parse.InvocationConfiguration.Output.WriteLineAsync($"{Path.Combine(folder, file)}  ->  {setting}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // A missing or misnamed template folder, a file where the folder should be: one line, no stack trace.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals templates: {ex.Message}");
                return 1;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(
                "A letter's first line (\"# ...\") is its heading in Notify; the rest is its body. Paste each file as it is: Notify checks the ((names)) against what the app sends.");
            return 0;
        });
        return command;
    }

    internal static IEnumerable<(string File, string Setting, string Content)> Files(MessageTemplates set)
    {
        var english = set.For("en");
        yield return ("en-text.txt", "Notify__SmsTemplateId", english.TextMessage);
        yield return ("en-letter.md", "Notify__LetterTemplateId", english.Letter);
        if (set.BilingualWelshLetter is { } welshHalf)
        {
            var welsh = set.For("cy");
            yield return ("cy-text.txt", "Notify__WelshSmsTemplateId", welsh.TextMessage);
            yield return ("bilingual-letter-welsh.md", "Notify__BilingualLetterTemplateId (its Welsh content, printed first)", welshHalf);
            yield return ("bilingual-letter-english.md", "Notify__BilingualLetterTemplateId (its English content)", english.Letter);
        }
    }
}
