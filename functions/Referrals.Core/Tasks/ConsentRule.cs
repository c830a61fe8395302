using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Tasks;

/// <summary>
/// The victim's decision about referral in force (rulebook 1.2 section 10): <paramref name="Support"/>, the decision section
/// 3 is applied with; <paramref name="LastSnapshot"/>, the <c>support</c> of the last snapshot applied; and, when the
/// Victim Care Unit recorded the decision in force, when and by whom.
/// </summary>
public sealed record ConsentInForce(SupportAnswer Support, SupportAnswer LastSnapshot, DateTimeOffset? UnitDecidedAt = null, string? UnitOperator = null);

/// <summary>
/// A decision recorded once: the Unit's Consented or Declined acts at once, exactly as if a snapshot had recorded support
/// Accepted or Declined at that moment; a later snapshot replaces it only when its <c>support</c> differs from the last
/// snapshot's and its <c>sentAt</c> is later than the Unit's decision. Otherwise the snapshot is decided (on its own
/// pathway) with the decision in force.
/// </summary>
public static class ConsentRule
{
    /// <summary>The support to decide a snapshot with, the consent in force after it, and why the snapshot's own support was not used (null when it was).</summary>
    public static (SupportAnswer Decide, ConsentInForce Next, string? Reason) OnSnapshot(ConsentInForce? inForce, SupportAnswer snapshot, DateTimeOffset sentAt)
    {
        if (inForce is not { UnitDecidedAt: { } decidedAt } unit)
        {
            return (snapshot, new ConsentInForce(snapshot, snapshot), null);
        }

        if (snapshot != unit.LastSnapshot && sentAt > decidedAt)
        {
            return (snapshot, new ConsentInForce(snapshot, snapshot), null);
        }

        var why = snapshot == unit.LastSnapshot
            ? $"the Victim Care Unit recorded the victim's decision ({unit.Support}) and this snapshot repeats the last one's support ({snapshot}): the Unit's decision stays in force"
            : $"the Victim Care Unit recorded the victim's decision ({unit.Support}) after this snapshot was sent: the Unit's decision stays in force";
        return (unit.Support, unit with { LastSnapshot = snapshot }, why);
    }

    /// <summary>The Unit records the victim's decision (a ConsentRequest closed Consented or Declined).</summary>
    public static ConsentInForce ByUnit(ConsentInForce? inForce, TaskOutcome outcome, DateTimeOffset at, string operatorName) =>
        new(outcome == TaskOutcome.Consented ? SupportAnswer.Accepted : SupportAnswer.Declined, inForce?.LastSnapshot ?? SupportAnswer.NotAsked, at, operatorName);

    /// <summary>
    /// The Unit's decision acting at once: section 3 applied to the latest snapshot's pathway with the decision, as if a
    /// snapshot had recorded it now (a referral to every eligible service, a single-session offer, ConvertedToYes or
    /// Withdrawn as there), on the victim's state with the task already closed.
    /// </summary>
    public static VictimChange Apply(VictimState closed, VcuTask task, TaskOutcome outcome, string operatorName, DateTimeOffset now, CrimeEvent snapshot, Victim person, ReferralRules rules)
    {
        var consent = ByUnit(closed.Consent, outcome, now, operatorName);
        var decision = rules.Decide(snapshot, person with { Support = consent.Support });
        decision = decision with { Reasons = [.. decision.Reasons, $"the Victim Care Unit recorded the victim's decision ({outcome}), task {task.Id}"] };
        return VictimTransition.Apply(closed, decision, now, Tallies.Month.Of(now), rules.Calendar, consent);
    }

    /// <summary>Whether an outcome is the victim's decision about referral.</summary>
    public static bool IsDecision(VcuTask task, TaskOutcome outcome) =>
        task.Kind == TaskKind.ConsentRequest && outcome is TaskOutcome.Consented or TaskOutcome.Declined;
}
