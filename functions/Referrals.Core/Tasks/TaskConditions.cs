using Referrals.Contact;
using Referrals.State;

namespace Referrals.Tasks;

/// <summary>
/// One kind of task for one victim (and one referral, for ServiceCouldNotContact), as the victim's state has it now:
/// whether the condition that raises it holds, and whether an open one is moot (and why).
/// </summary>
/// <param name="Reasons">The codes a task raised now carries.</param>
public sealed record TaskCondition(TaskKind Kind, string? ServiceId, bool Holds, TaskWithdrawal? Moot, IReadOnlyList<string> Reasons);

/// <summary>The conditions of rulebook 1.2 section 10's table, read from a victim's state.</summary>
public static class TaskConditions
{
    /// <summary>
    /// ConsentRequest, SingleSessionOffer and ContactNeeded, and ServiceCouldNotContact for each referral a service reported
    /// on (<see cref="Outcomes.ServiceReportRule.TaskFor"/>), so a task raised by a report during a hold becomes work when
    /// a snapshot lifts the hold.
    /// </summary>
    public static IReadOnlyList<TaskCondition> Of(VictimState victim) =>
        [ConsentRequest(victim), SingleSessionOffer(victim), ContactNeeded(victim), .. victim.Reports.ByService.Select(e => Outcomes.ServiceReportRule.TaskFor(e.Key, e.Value))];

    /// <summary>Raised while the victim's support is NotAsked on the consent pathway; moot once a decision is recorded (or the pathway is no longer consent).</summary>
    public static TaskCondition ConsentRequest(VictimState victim)
    {
        var holds = victim.ReferralStatus == ReferralStatus.AwaitingConsent;
        TaskWithdrawal? moot = holds ? null : victim.Pathway == Rules.Pathway.Consent ? TaskWithdrawal.DecisionRecorded : TaskWithdrawal.NoLongerConsentPathway;
        return new(TaskKind.ConsentRequest, null, holds, moot, ["SupportNotAsked", "ConsentPathway"]);
    }

    /// <summary>Raised when a consent-pathway victim declines; moot when they later accept (ConvertedToYes), or no longer decline.</summary>
    public static TaskCondition SingleSessionOffer(VictimState victim)
    {
        var holds = victim.ReferralStatus == ReferralStatus.Declined && victim.SingleSessionOffer;
        TaskWithdrawal? moot = holds ? null : victim.ReferralStatus == ReferralStatus.ConvertedToYes ? TaskWithdrawal.ConvertedToYes : TaskWithdrawal.NoLongerDeclined;
        return new(TaskKind.SingleSessionOffer, null, holds, moot, [victim.Consent?.UnitDecidedAt is null ? "DeclinedInRecord" : "DeclinedToVictimCareUnit"]);
    }

    /// <summary>
    /// Raised when no safe channel is left (none in flight, none delivered, none safe and unused), or an unknown outcome
    /// could not be settled (<see cref="UnknownRule.Unsettled"/>), unless a family liaison officer informs the victim; moot
    /// once the information is delivered by any channel.
    /// </summary>
    public static TaskCondition ContactNeeded(VictimState victim)
    {
        var progress = ChannelNames.InOrder.Select(c => ContactRule.Of(victim, c)).ToList();
        var busy = progress.Any(p => p is ChannelProgress.InFlight or ChannelProgress.Delivered);
        var delivered = progress.Contains(ChannelProgress.Delivered);

        // Rulebook 1.2 section 6: an unknown outcome the provider's records could not settle keeps its channel in flight (the
        // plan never moves on) and asks the Unit to make contact.
        var unsettled = !delivered && ChannelNames.InOrder.Any(c => UnknownRule.Unsettled(victim.Contact[c]));
        var holds = victim.Contact.Plan.Count > 0 && !victim.Contact.FamilyLiaison && ((!busy && ContactRule.Target(victim) is null) || unsettled);
        TaskWithdrawal? moot = delivered ? TaskWithdrawal.Informed : null;
        return new(TaskKind.ContactNeeded, null, holds, moot, [.. victim.Contact.Plan.Select(l => $"{l.Channel}:{Why(victim, l)}")]);
    }

    /// <summary>
    /// Rulebook 1.2 section 11, for the issue that takes services' reports: raised when a service reports CouldNotContact
    /// for WrongDetails, or ContactUnsafe, for one referral; moot when that service later reports Contacted.
    /// </summary>
    /// <param name="reported">The codes of what the service reported (e.g. "CouldNotContact:WrongDetails", "ContactUnsafe").</param>
    public static TaskCondition ServiceCouldNotContact(string serviceId, bool couldNotContact, bool contacted, IReadOnlyList<string> reported) =>
        new(TaskKind.ServiceCouldNotContact, serviceId, couldNotContact && !contacted, contacted ? TaskWithdrawal.ServiceContacted : null,
            [.. reported.Select(r => $"{serviceId}:{r}")]);

    private static string Why(VictimState victim, PlanLine line) => ContactRule.Of(victim, line.Channel) switch
    {
        ChannelProgress.InFlight when UnknownRule.Unsettled(victim.Contact[line.Channel]) => "Unsettled",
        ChannelProgress.Failed => "Failed",
        ChannelProgress.Delivered => "Delivered",
        ChannelProgress.InFlight => "InFlight",
        _ => line.Reason?.ToString() ?? "Safe",
    };
}
