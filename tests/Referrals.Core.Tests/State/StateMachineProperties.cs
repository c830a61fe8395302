using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.State;

/// <summary>
/// Any sequence of snapshots of one crime, delivered with duplicates and in any order, through a model of the
/// pipeline's ingest (a version not newer than the stored one is ignored, and what the stored state asks for is
/// handed on again): the state machine must end where applying the ever-newer versions in order ends.
/// </summary>
public class StateMachineProperties
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    /// <summary>One version: the offence (opt-out or consent pathway), and per victim the support answer and whether the email is safe.</summary>
    private sealed record Version(long Number, string Code, (SupportAnswer Support, bool? EmailSafe)[] Victims, Month Month);

    private sealed record Run(Dictionary<string, VictimState> States, HashSet<string> Deliveries, HashSet<TallyEvent> Tallies, List<(Version Version, VictimDecision Decision, PlannedDelivery Planned)> Planned);

    private static Gen<Version[]> Versions() =>
        from count in Gen.Choose(1, 6)
        from victims in Gen.Choose(1, 2)
        from versions in Gen.ArrayOf(
            from code in Gen.Elements("28E", "19C", "8N", "20B")
            from answers in Gen.ArrayOf(Gen.Zip(Gen.Elements(SupportAnswer.NotAsked, SupportAnswer.Accepted, SupportAnswer.Declined), Gen.Elements<bool?>(true, false, null)), victims)
            from month in Gen.Choose(10, 12)
            select (code, answers, month), count)
        select versions.Select((v, i) => new Version(i + 1, v.code, v.answers, new Month(2026, v.month))).ToArray();

    /// <summary>The versions delivered: each at least once, some twice or three times, shuffled.</summary>
    private static Gen<(Version[] Versions, Version[] Delivered)> Deliveries() =>
        from versions in Versions()
        from copies in Gen.ArrayOf(Gen.Choose(1, 3), versions.Length)
        from keys in Gen.ArrayOf(Gen.Choose(0, 1000), copies.Sum())
        select (versions, versions.SelectMany((v, i) => Enumerable.Repeat(v, copies[i])).Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray());

    private static IReadOnlyList<VictimDecision> Decide(Version version) =>
        Rulebook.Decide(new CrimeEvent(1, $"e{version.Number}", Now, new Crime("DB/26/1", version.Number, Now, new Offence(version.Code, null), [], null),
            [.. version.Victims.Select((v, i) => new Victim($"V{i + 1}", null, "Sam", null, null, "victim@example.org", v.EmailSafe, null, null, null, false, false, false, v.Support, null))]));

    /// <summary>The pipeline's ingest, modelled: stale versions ignored except for handing on again everything the state asks for.</summary>
    private static Run Ingest(IEnumerable<Version> delivered)
    {
        var run = new Run(new(StringComparer.Ordinal), new(StringComparer.Ordinal), [], []);
        long stored = 0;

        // Task ids from a counter: the run in any order applies the same versions in the same order, so raises the same tasks.
        var taskIds = Referrals.Tasks.TaskIds.Sequence();
        foreach (var version in delivered)
        {
            if (version.Number <= stored)
            {
                foreach (var state in run.States.Values)
                {
                    run.Deliveries.UnionWith(WorkPlan.All(state).Select(p => DeliveryId.For(p.Kind, state.CrimeReference, state.VictimId, p.ServiceId, p.TaskId)));
                    run.Tallies.UnionWith(TallyRule.Between(null, state));
                }

                continue;
            }

            stored = version.Number;
            foreach (var decision in Decide(version))
            {
                var change = VictimTransition.Apply(run.States.GetValueOrDefault(decision.VictimId), decision, Now, version.Month, WorkingDays, newTaskId: taskIds);
                run.States[decision.VictimId] = change.Next;
                foreach (var planned in WorkPlan.Between(change.Previous, change.Next))
                {
                    run.Planned.Add((version, decision, planned));
                    run.Deliveries.Add(DeliveryId.For(planned.Kind, decision.CrimeReference, decision.VictimId, planned.ServiceId, planned.TaskId));
                }

                run.Tallies.UnionWith(TallyRule.Between(change.Previous, change.Next));
            }
        }

        return run;
    }

    /// <summary>The versions that would be applied: each newer than every one before it, in delivery order.</summary>
    private static IEnumerable<Version> Newest(IEnumerable<Version> delivered)
    {
        long newest = 0;
        foreach (var version in delivered.Where(v => v.Number > newest))
        {
            newest = version.Number;
            yield return version;
        }
    }

    private static string Canonical(VictimState s) =>
        $"{s.ReferralStatus}|{string.Join(',', s.ReferredServices)}|{string.Join(',', s.VcuTasks)}|{string.Join(',', s.Tasks.Tasks.Select(t => $"{t.Id}:{t.Kind}:{t.State}:{t.WithdrawnBecause}"))}|{s.Contact.Email}|{string.Join(',', s.Counted)}|{s.FirstSeenVersion}|{s.Version}";

    [Property(MaxTest = 300)]
    public Property Duplicates_and_any_order_end_where_applying_the_newest_in_order_ends() =>
        Prop.ForAll(Arb.From(Deliveries()), input =>
        {
            var actual = Ingest(input.Delivered);
            var expected = Ingest(Newest(input.Delivered));
            return actual.States.Keys.Order().SequenceEqual(expected.States.Keys.Order())
                && actual.States.All(s => Canonical(s.Value) == Canonical(expected.States[s.Key]))
                && actual.Deliveries.SetEquals(expected.Deliveries)
                && actual.Tallies.SetEquals(expected.Tallies)
                && actual.Tallies.SetEquals(actual.States.Values.SelectMany(s => TallyRule.Between(null, s)));
        });

    [Property(MaxTest = 300)]
    public Property In_order_delivery_applies_every_version() =>
        Prop.ForAll(Arb.From(Versions()), versions =>
            Ingest(versions.Concat(versions)).States.Values.All(s => s.Version == versions.Length));

    [Property(MaxTest = 300)]
    public Property A_service_is_never_referred_twice() =>
        Prop.ForAll(Arb.From(Deliveries()), input =>
            Ingest(input.Delivered).Planned.Where(p => p.Planned.Kind == DeliveryKind.Referral)
                .GroupBy(p => (p.Decision.VictimId, p.Planned.ServiceId)).All(g => g.Count() == 1));

    [Property(MaxTest = 300)]
    public Property A_withdrawal_only_follows_a_referral_to_the_same_service() =>
        Prop.ForAll(Arb.From(Deliveries()), input =>
        {
            var planned = Ingest(input.Delivered).Planned;
            return planned.Select((p, i) => (p, i)).Where(x => x.p.Planned.Kind == DeliveryKind.Withdrawal).All(w =>
                planned.Take(w.i).Any(r => r.Planned.Kind == DeliveryKind.Referral && r.Decision.VictimId == w.p.Decision.VictimId && r.Planned.ServiceId == w.p.Planned.ServiceId))
                && planned.Count(p => p.Planned.Kind == DeliveryKind.Withdrawal) == planned.Where(p => p.Planned.Kind == DeliveryKind.Withdrawal).Distinct().Count();
        });

    [Property(MaxTest = 100)]
    public Property A_withdrawal_is_only_ever_sent_after_a_referral_that_was_delivered_or_may_have_been() =>
        Prop.ForAll(Arb.From(Gen.Elements<DeliveryStatus?>([null, .. Enum.GetValues<DeliveryStatus>()])), referral =>
            WithdrawalRule.Next(referral) != WithdrawalStep.Send || referral is DeliveryStatus.Delivered or DeliveryStatus.Unconfirmed);

    [Property(MaxTest = 300)]
    public Property A_consent_pathway_victim_is_never_referred_without_consent_in_that_version() =>
        Prop.ForAll(Arb.From(Deliveries()), input =>
            Ingest(input.Delivered).Planned
                .Where(p => p.Planned.Kind == DeliveryKind.Referral && p.Decision.Pathway == Pathway.Consent)
                .All(p => p.Version.Victims[int.Parse(p.Decision.VictimId[1..], System.Globalization.CultureInfo.InvariantCulture) - 1].Support == SupportAnswer.Accepted));

    [Property(MaxTest = 300)]
    public Property A_referral_is_warranted_when_planned_and_a_referral_planned_is_never_for_a_victim_who_declined() =>
        Prop.ForAll(Arb.From(Deliveries()), input =>
        {
            var run = Ingest(input.Delivered);
            return run.Planned.Where(p => p.Planned.Kind == DeliveryKind.Referral).All(p => p.Decision.Referral is ReferralOutcome.AutoReferred or ReferralOutcome.Referred);
        });
}
