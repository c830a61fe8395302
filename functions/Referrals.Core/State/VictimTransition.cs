using System.Collections.Immutable;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>A victim's state before and after one snapshot, with the reasons history gave (empty when it changed nothing).</summary>
public sealed record VictimChange(VictimState? Previous, VictimState Next, IReadOnlyList<string> Reasons);

/// <summary>How a victim's state changes when a newer snapshot is decided (rulebook section 3, across snapshots).</summary>
public static class VictimTransition
{
    /// <param name="month">The Europe/London month of the snapshot's sentAt: the month this change counts in.</param>
    /// <param name="calendar">The working days the time to inform is counted in (<see cref="TallyRule.ContactCounted"/>).</param>
    public static VictimChange Apply(VictimState? previous, VictimDecision decision, DateTimeOffset now, Month month, Calendar.WorkingDayCalendar calendar)
    {
        var (status, reason) = ReferralStatusRule.Next(previous, decision.Referral);
        var tasks = previous?.VcuTasks ?? [];
        if (VcuTaskRule.Due(status, decision.SingleSessionOffer) is { } task)
        {
            tasks = tasks.Add(task);
        }

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
            tasks,
            previous?.Counted ?? ImmutableSortedDictionary.Create<string, Month>(StringComparer.Ordinal),
            now,
            ContactState.Of(decision.Contact, previous?.Contact, decision.Held),
            decision.RecordedOn);
        next = ContactRule.Apply(next, now, month, calendar);
        next = next with { Counted = TallyRule.Counted(previous, next, decision.Categories, month) };
        return new VictimChange(previous, next, reason is null ? [] : [reason]);
    }
}
