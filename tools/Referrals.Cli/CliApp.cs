using System.CommandLine;
using Referrals.Pipeline.DeadLetters;

namespace Referrals.Cli;

/// <summary>The `referrals` command tree.</summary>
public static class CliApp
{
    public static RootCommand Create() => new(
        """
        referrals: the operator tool of the Referrals pipeline.
        Applies the Victims' Code referral rules (referral-rules-v1) to crime snapshots (crime-event-v1), runs the
        pipeline locally, puts snapshots on its queue, and lists and replays what it could not process.
        """)
    {
        DecideCommand.Create(),
        RunCommand.Create(),
        BenchCommand.Create(),
        SendCommand.Create(),
        DeadLetterCommands.List(DeadLetterKind.Rejected),
        DeadLetterCommands.List(DeadLetterKind.Poison),
        DeadLetterCommands.Replay(),
        TalliesCommand.Create(),
    };
}
