using System.CommandLine;

namespace Referrals.Cli;

/// <summary>
/// Who runs an audited command (`replay`, `erase`, `subject-access`): `--operator`, else the REFERRALS_OPERATOR
/// environment variable (a force sets it to the signed-in identity in its operator shell), else the local user name.
/// </summary>
internal sealed class OperatorOption
{
    public Option<string?> Option { get; } = new("--operator")
    {
        Description = "Who is running this command, for the audit trail. Default: REFERRALS_OPERATOR, else the local user name.",
    };

    public void AddTo(Command command) => command.Options.Add(Option);

    public string Of(ParseResult parse)
    {
        var named = parse.GetValue(Option) ?? Environment.GetEnvironmentVariable("REFERRALS_OPERATOR");
        var name = string.IsNullOrWhiteSpace(named) ? $"local user {Environment.UserName}" : named.Trim();

        // One line of plain text in the audit, whatever was typed.
        return new string([.. name.Where(c => !char.IsControl(c)).Take(200)]);
    }
}
