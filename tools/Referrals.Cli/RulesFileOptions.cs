using System.CommandLine;
using Referrals.Calendar;
using Referrals.Emails;
using Referrals.Rules;

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

    public (ReferralRules Rules, EntitlementEmailComposer Composer) Load(ParseResult parse)
    {
        var codes = parse.GetValue(OffenceCodes) is { } codesFile ? OffenceCodeList.Load(codesFile.FullName) : OffenceCodeList.LoadDefault();
        var directory = parse.GetValue(Services) is { } servicesFile ? ServiceDirectory.Load(servicesFile.FullName) : ServiceDirectory.LoadDefault();
        var templates = parse.GetValue(Templates) is { } folder ? EmailTemplates.Load(folder.FullName) : EmailTemplates.LoadDefault();
        var rules = new ReferralRules(new OffenceClassifier(codes), directory, new WorkingDayCalendar());
        return (rules, new EntitlementEmailComposer(templates, directory));
    }
}
