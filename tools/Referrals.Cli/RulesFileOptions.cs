using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Referrals.Messages;
using Referrals.Pipeline;
using Referrals.Pipeline.Configuration;

namespace Referrals.Cli;

/// <summary>
/// Options that point the CLI at a force's own offence codes, services directory and email templates,
/// so a change to any of them can be tried in a dry run before it is deployed.
/// </summary>
internal sealed class RulesFileOptions
{
    public Option<FileInfo?> OffenceCodes { get; } = new("--offence-codes")
    {
        Description = "Offence code list (CSV: code,label,group). Default: the list shipped with Referrals.",
    };

    public Option<FileInfo?> Services { get; } = new("--services")
    {
        Description = "Services directory (JSON). Default: the rulebook's default directory.",
    };

    public Option<DirectoryInfo?> Templates { get; } = new("--templates")
    {
        Description = "Email templates folder (one sub-folder per language). Default: the shipped templates.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(OffenceCodes);
        command.Options.Add(Services);
        command.Options.Add(Templates);
    }

    /// <summary>The same loading as the Functions app's start-up, with these options in place of its settings.</summary>
    public RulesData Load(ParseResult parse) => RulesData.Load(
        new RulesOptions
        {
            OffenceCodesPath = parse.GetValue(OffenceCodes)?.FullName,
            ServicesPath = parse.GetValue(Services)?.FullName,
            TemplatesPath = parse.GetValue(Templates)?.FullName,
        },
        Force(new ConfigurationBuilder().AddEnvironmentVariables().Build()));

    /// <summary>
    /// The force's identity from the app's own settings (<c>Force__Name</c>…, here environment variables), checked as
    /// start-up checks them; without any, the synthetic example force, so a dry run works on a fresh clone.
    /// </summary>
    public static ForceIdentity Force(IConfiguration configuration)
    {
        var section = configuration.GetSection(ForceOptions.Section);
        if (!section.GetChildren().Any())
        {
            return ForceIdentity.Example;
        }

        var options = section.Get<ForceOptions>() ?? new ForceOptions();
        var problems = options.ToIdentity().Problems();
        return problems.Count == 0
            ? options.ToIdentity()
            : throw new InvalidDataException($"the Force settings are not usable: {string.Join("; ", problems)}. Set every Force__ setting (local.settings.example.json lists them), or none for the example force.");
    }
}
