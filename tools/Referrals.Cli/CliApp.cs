using System.CommandLine;
using Referrals.Pipeline.DeadLetters;

namespace Referrals.Cli;

/// <summary>The `referrals` command tree.</summary>
public static class CliApp
{
    /// <summary>The exit code of a command-line mistake, as docs/operations.md documents (0 ok, 1 failure, 2 usage).</summary>
    public const int UsageError = 2;

    public static RootCommand Create() => new(
        """
        referrals: the operator tool of the Referrals pipeline.
        Applies the Victims' Code referral rules (referral-rules-v1) to crime snapshots (crime-event-v1), runs the
        pipeline locally, puts snapshots on its queue, and lists and replays what it could not process.
        Exit codes: 0 ok, 1 failure (with one line saying why), 2 a command-line mistake.
        """)
    {
        DecideCommand.Create(),
        RunCommand.Create(),
        AzuriteCommand.Create(),
        BenchCommand.Create(),
        SendCommand.Create(),
        DeadLetterCommands.List(DeadLetterKind.Rejected),
        DeadLetterCommands.List(DeadLetterKind.Poison),
        DeadLetterCommands.Replay(),
        TalliesCommand.Create(),
        PrivacyCommands.Explain(),
        PrivacyCommands.SubjectAccess(),
        PrivacyCommands.Erase(),
        PrivacyCommands.Purge(),
        ReindexCommand.Create(),
        RecheckLettersCommand.Create(),
        DashboardCommand.Create(),
        TemplatesCommand.Create(),
        TasksCommand.Create(),
        StatusCommand.Create(),
        OutcomesCommand.Create(),
    };

    /// <summary>
    /// Parses and runs a command line. A parse error exits 2, not System.CommandLine's 1; Ctrl-C and SIGTERM cancel the
    /// command and leave it time to stop Azurite and the local host and remove their temporary data.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        configuration.ProcessTerminationTimeout = TimeSpan.FromSeconds(30);
        var parse = Create().Parse(args);
        var exitCode = await parse.InvokeAsync(configuration);
        return parse.Errors.Count > 0 ? UsageError : exitCode;
    }
}
