using System.Collections.Immutable;
using Referrals.Rules;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.State;

/// <summary>A victim's state before and after one snapshot, with the reasons history gave (empty when it changed nothing).</summary>
public sealed record VictimChange(VictimState? Previous, VictimState Next, IReadOnlyList<string> Reasons);

/// <summary>How a victim's state changes when a newer snapshot is decided (rulebook section 3, across snapshots).</summary>
public static class VictimTransition
{
    /// <param name="month">The Europe/London month of the snapshot's sentAt: the month this change counts in.</param>
    /// <param name="calendar">The working days the time to inform is counted in (<see cref="TallyRule.ContactCounted"/>), and tasks' due times.</param>
    /// <param name="consent">The decision in force after this snapshot (<see cref="ConsentRule"/>), which <paramref name="decision"/> was decided with; null: the snapshot's own support.</param>
    /// <param name="newTaskId">Ids for Victim Care Unit tasks raised now (default: random).</param>
    public static VictimChange Apply(VictimState? previous, VictimDecision decision, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar,
        ConsentInForce? consent = null, Func<DateTimeOffset, string>? newTaskId = null)
    {
        var (status, reason) = ReferralStatusRule.Next(previous, decision.Referral);
        var next = new VictimState(
            decision.CrimeReference,
            decision.VictimId,
            previous?.FirstSeenVersion ?? decision.CrimeVersion,
            decision.CrimeVersion,
            decision.Pathway,
            decision.Referral,
            status,
            (previous?.ReferredServices ?? []).Union(decision.Services),
            [.. decision.EligibleServices],
            decision.SingleSessionOffer,
            decision.EnhancedRights,
            decision.IsChild,
            decision.ReferralDueBy,
            previous?.VcuTasks ?? [],
            previous?.Counted ?? ImmutableSortedDictionary.Create<string, Month>(StringComparer.Ordinal),
            now,
            ContactState.Of(decision.Contact, previous?.Contact, decision.Held),
            decision.RecordedOn,
            previous?.TaskBook,
            consent ?? previous?.Consent,
            previous?.Outcomes);

        // Decided from a snapshot that lists the victim: tasks may be raised again if they had left it. The tasks follow
        // the new state within the contact rule (rulebook 1.2 section 10).
        next = TaskRule.Reopen(next);
        next = ContactRule.Apply(next, now, month, calendar, newTaskId);
        next = next with { Counted = TallyRule.Counted(previous, next, decision.Categories, month) };
        return new VictimChange(previous, next, reason is null ? [] : [reason]);
    }
}
