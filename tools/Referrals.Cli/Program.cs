using System.CommandLine;
using Referrals.Cli;

var root = new RootCommand(
    """
    referrals: the operator tool of the Referrals pipeline.
    Applies the Victims' Code referral rules (referral-rules-v1) to crime snapshots (crime-event-v1).
    """)
{
    DecideCommand.Create(),
    RunCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
