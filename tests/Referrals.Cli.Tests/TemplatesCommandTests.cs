using System.Text.RegularExpressions;
using Referrals.Messages;

namespace Referrals.Cli.Tests;

/// <summary>`referrals templates`: what a force pastes into GOV.UK Notify, and the setting that takes each id.</summary>
public class TemplatesCommandTests
{
    [Fact]
    public async Task Templates_writes_every_notify_template_and_the_bilingual_letters_welsh_half_uses_its_own_names()
    {
        using var folder = new TempFolder();

        var (exitCode, stdout, _) = await CliProcess.RunAsync(null, "templates", "--out", folder.Path);

        Assert.Equal(0, exitCode);
        string[] files = ["bilingual-letter-english.md", "bilingual-letter-welsh.md", "cy-text.txt", "en-letter.md", "en-text.txt"];
        Assert.Equal(files, Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var setting in new[] { "Notify__SmsTemplateId", "Notify__LetterTemplateId", "Notify__WelshSmsTemplateId", "Notify__BilingualLetterTemplateId" })
        {
            Assert.Contains(setting, stdout, StringComparison.Ordinal);
        }

        var welshHalf = NotifyTemplate.Placeholders(await File.ReadAllTextAsync(Path.Combine(folder.Path, "bilingual-letter-welsh.md")));
        var english = NotifyTemplate.Placeholders(await File.ReadAllTextAsync(Path.Combine(folder.Path, "bilingual-letter-english.md")));
        Assert.All(welshHalf, name => Assert.Matches(new Regex("^(address_line_[1-7]|.+_cy)$"), name));
        Assert.DoesNotContain(english.Intersect(welshHalf), n => !MessageTemplates.IsAddressLine(n));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(folder.Path, "en-letter.md")), await File.ReadAllTextAsync(Path.Combine(folder.Path, "bilingual-letter-english.md")));
    }

    [Fact]
    public async Task A_missing_template_folder_or_a_file_in_the_way_is_one_line_and_exit_1()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var file = Path.Combine(folder.Path, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");

        var inTheWay = await CliProcess.RunAsync(null, "templates", "--out", file);
        var missing = await CliProcess.RunAsync(null, "templates", "--out", Path.Combine(folder.Path, "out"), "--templates", Path.Combine(folder.Path, "none"));

        Assert.All(new[] { inTheWay, missing }, run =>
        {
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("referrals templates: ", run.Stderr, StringComparison.Ordinal);
            Assert.Single(run.Stderr.Trim().Split('\n'));
        });
    }

    [Fact]
    public async Task A_template_file_already_in_the_folder_is_left_as_it_is_unless_forced()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var mine = Path.Combine(folder.Path, "en-text.txt");
        await File.WriteAllTextAsync(mine, "my own draft");

        var kept = await CliProcess.RunAsync(null, "templates", "--out", folder.Path);
        var keptText = await File.ReadAllTextAsync(mine);
        var keptFiles = Directory.GetFiles(folder.Path).Length;
        var forced = await CliProcess.RunAsync(null, "templates", "--out", folder.Path, "--force");

        Assert.Equal((1, "my own draft"), (kept.ExitCode, keptText));
        Assert.Contains("--force", kept.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, keptFiles);
        Assert.Equal(0, forced.ExitCode);
        Assert.NotEqual("my own draft", await File.ReadAllTextAsync(mine));
    }
}
