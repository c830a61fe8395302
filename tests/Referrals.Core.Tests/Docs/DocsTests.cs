using System.Text.RegularExpressions;

namespace Referrals.Tests.Docs;

/// <summary>
/// Issue 30: the docs stay true of the repository. README's map names every folder of the three projects and of
/// tools/, one line each, and nothing that is not there; every measured figure in docs/benchmarks.md carries its date
/// and the command that reproduces it.
/// </summary>
public sealed partial class DocsTests
{
    private static readonly string[] Mapped = ["functions/Referrals.Core", "functions/Referrals.Pipeline", "functions/Referrals.Functions", "tools"];

    [Fact]
    public void The_README_map_names_every_folder_of_the_projects_and_tools_and_only_those()
    {
        var folders = FoldersOnDisk();
        var named = NamedInMap(File.ReadAllText(Path.Combine(Root, "README.md")));

        Assert.Contains("functions/Referrals.Core/State/", folders);
        Assert.Contains("tools/Referrals.Cli/", folders);
        Assert.Equal(named.Distinct(StringComparer.Ordinal).Count(), named.Count);
        Assert.True(folders.SetEquals(named), $"README's map and the folders differ. Not in the map: {string.Join(", ", folders.Except(named))}. In the map but not on disk: {string.Join(", ", named.Except(folders))}.");
    }

    [Fact]
    public void The_map_check_finds_a_folder_missing_from_the_map_and_one_that_does_not_exist()
    {
        var named = NamedInMap("- `functions/Referrals.Core/State/`: the state machine.\n- `tools/NotThere/`: gone.\n");
        var folders = FoldersOnDisk();

        Assert.Equal(["functions/Referrals.Core/State/", "tools/NotThere/"], named);
        Assert.Contains("functions/Referrals.Core/Rules/", folders.Except(named));
        Assert.Equal(["tools/NotThere/"], named.Except(folders));
    }

    [Fact]
    public void Every_measured_section_of_the_benchmarks_page_has_its_date_and_its_command()
    {
        var sections = Sections(File.ReadAllText(Path.Combine(Root, "docs", "benchmarks.md"))).Where(s => s.Body.Contains("\n|", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(sections);
        Assert.All(sections, s =>
        {
            Assert.True(Date().IsMatch(s.Body), $"docs/benchmarks.md, \"{s.Heading}\": a figure without its date (yyyy-MM-dd)");
            Assert.True(s.Body.Contains("dotnet ", StringComparison.Ordinal), $"docs/benchmarks.md, \"{s.Heading}\": a figure without the command that reproduces it");
        });
    }

    private static string Root { get; } = FindRoot();

    private static HashSet<string> FoldersOnDisk() =>
        [.. Mapped.SelectMany(parent => Directory.GetDirectories(Path.Combine(Root, parent))
            .Select(Path.GetFileName)
            .Where(name => name is not (null or "bin" or "obj" or "node_modules") && !name.StartsWith('.'))
            .Select(name => $"{parent}/{name}/"))];

    private static List<string> NamedInMap(string readme) => [.. MapEntry().Matches(readme).Select(m => m.Groups[1].Value)];

    private static IEnumerable<(string Heading, string Body)> Sections(string markdown) =>
        Regex.Split(markdown, "^(?=#{2,3} )", RegexOptions.Multiline)
            .Where(s => s.StartsWith('#'))
            .Select(s => (s[..s.IndexOf('\n', StringComparison.Ordinal)].TrimStart('#', ' '), s));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Referrals.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Referrals.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"^\s*- `((?:functions/Referrals\.(?:Core|Pipeline|Functions)|tools)/[^/`]+/)`", RegexOptions.Multiline)]
    private static partial Regex MapEntry();

    [GeneratedRegex(@"\b20[0-9]{2}-[01][0-9]-[0-3][0-9]\b")]
    private static partial Regex Date();
}
