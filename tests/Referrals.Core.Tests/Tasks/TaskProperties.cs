using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tasks;

/// <summary>
/// Any history of one victim (snapshots on either pathway, with any support, safety and hold; receipts; leaving the crime;
/// erasure; services' reports; and any operator's claim, release or close with any outcome, allowed or not): never two
/// open tasks of a kind (per referral for ServiceCouldNotContact); done and withdrawn tasks never change again; a task is
/// withdrawn exactly when it became moot (or its victim left or was erased), and no open task is ever moot.
/// </summary>
public class TaskProperties
{
    private static readonly DateTimeOffset Start = new(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One thing that happens to the victim.</summary>
    private abstract record Event;

    private sealed record Snapshot(string Code, SupportAnswer Support, bool? EmailSafe, bool Held) : Event;

    private sealed record Receipt(bool Delivered) : Event;

    private sealed record Leave : Event;

    private sealed record Erase : Event;

    private sealed record ServiceReport(string Service, bool CouldNotContact, bool Contacted) : Event;

    private sealed record Operator(int Action, int Task, string Who, TaskOutcome Outcome) : Event;

    private static Gen<Event> Events() => Gen.Frequency(
        (5, from code in Gen.Elements("19C", "28E", "8Q")
            from support in Gen.Elements(SupportAnswer.NotAsked, SupportAnswer.Accepted, SupportAnswer.Declined)
            from safe in Gen.Elements<bool?>(true, false, null)
            from held in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (Event)new Snapshot(code, support, safe, held)),
        (2, from delivered in Gen.Elements(true, false) select (Event)new Receipt(delivered)),
        (1, Gen.Constant<Event>(new Leave())),
        (1, Gen.Frequency((1, Gen.Constant<Event>(new Erase())), (9, Gen.Constant<Event>(new Leave())))),
        (2, from service in Gen.Elements("general", "isva")
            from cnc in Gen.Elements(true, false)
            from contacted in Gen.Elements(true, false)
            select (Event)new ServiceReport(service, cnc, contacted)),
        (6, from action in Gen.Choose(0, 2)
            from task in Gen.Choose(0, 5)
            from who in Gen.Elements("alex", "sam")
            from outcome in Gen.Elements(Enum.GetValues<TaskOutcome>())
            select (Event)new Operator(action, task, who, outcome)));

    private static Gen<Event[]> Histories() => from count in Gen.Choose(1, 25) from events in Gen.ArrayOf(Events(), count) select events;

    /// <summary>What one step did: the state before and after, and the withdrawals it was allowed to make.</summary>
    private sealed record Step(VictimState Before, VictimState After, IReadOnlySet<TaskWithdrawal> Allowed);

    private static IEnumerable<Step> Run(Event[] history)
    {
        var ids = TaskIds.Sequence();
        VictimState? victim = null;
        CrimeEvent? last = null;
        var erased = false;
        var now = Start;
        long version = 0;
        foreach (var e in history)
        {
            now = now.AddHours(7);
            if (victim is null && e is not Snapshot)
            {
                continue;
            }

            var before = victim;
            var allowed = new HashSet<TaskWithdrawal>();
            switch (e)
            {
                case Snapshot s when !erased:
                    last = Fixtures.Snapshot(s.Code, s.Held ? ["HoldContact"] : null, version: ++version,
                        victims: Victim(support: s.Support, emailSafe: s.EmailSafe));
                    var (support, consent, _) = ConsentRule.OnSnapshot(victim?.Consent, s.Support, now);
                    var person = last.Victims[0] with { Support = support };
                    victim = VictimTransition.Apply(victim, Rulebook.Decide(last, person), now, Month.Of(now), WorkingDays, consent, ids).Next;
                    allowed.UnionWith(Moot(victim));
                    break;
                case Receipt r when victim!.Contact.Email.Status is MessageStatus.Queued or MessageStatus.Sent:
                    var sent = victim.With(Channel.Email, victim.Contact.Email with { Status = MessageStatus.Sent });
                    victim = ReceiptRule.Apply(sent, Channel.Email, r.Delivered ? ReceiptStatus.Delivered : ReceiptStatus.FailedForGood, null, now, now, Month.Of(now), WorkingDays).Next;
                    allowed.UnionWith(Moot(victim));
                    break;
                case Leave:
                    victim = TaskRule.CloseBook(victim!, TaskWithdrawal.NotInLatestSnapshot, now);
                    allowed.Add(TaskWithdrawal.NotInLatestSnapshot);
                    break;
                case Erase:
                    victim = TaskRule.CloseBook(victim!, TaskWithdrawal.Erased, now);
                    erased = true;
                    allowed.Add(TaskWithdrawal.Erased);
                    break;
                case ServiceReport report:
                    var condition = TaskConditions.ServiceCouldNotContact(report.Service, report.CouldNotContact, report.Contacted, ["reported"]);
                    victim = TaskRule.Reconcile(victim!, [condition], now, WorkingDays, ids);
                    if (condition.Moot is { } moot)
                    {
                        allowed.Add(moot);
                    }

                    break;
                case Operator op when victim!.Tasks.Tasks.Count > 0:
                    var task = victim.Tasks.Tasks[op.Task % victim.Tasks.Tasks.Count];
                    var step = op.Action switch
                    {
                        0 => TaskRule.Claim(task, op.Who, now),
                        1 => TaskRule.Release(task, op.Who, now),
                        _ => TaskRule.Close(task, op.Outcome, op.Who, now),
                    };
                    if (step.Next is { } next)
                    {
                        victim = TaskRule.WithStep(victim, next, now, WorkingDays);
                        if (op.Action == 2 && ConsentRule.IsDecision(next, op.Outcome) && last?.Victims[0] is { } seen && victim.Tasks.Closed is null)
                        {
                            victim = ConsentRule.Apply(victim, next, op.Outcome, op.Who, now, last, seen, Rulebook).Next;
                            allowed.UnionWith(Moot(victim));
                        }
                    }

                    break;
            }

            yield return new Step(before ?? victim!, victim!, allowed);
        }
    }

    /// <summary>The reasons the victim's state makes a task of each standard kind moot now.</summary>
    private static IEnumerable<TaskWithdrawal> Moot(VictimState victim) => TaskConditions.Of(victim).Select(c => c.Moot).OfType<TaskWithdrawal>();

    [Property(MaxTest = 400)]
    public Property Never_two_open_tasks_of_a_kind_per_victim_or_per_referral() =>
        Prop.ForAll(Arb.From(Histories()), history => Run(history).All(s =>
            s.After.Tasks.Open.GroupBy(t => (t.Kind, t.ServiceId)).All(g => g.Count() == 1)));

    [Property(MaxTest = 400)]
    public Property Done_and_withdrawn_tasks_never_reopen_or_change_and_tasks_are_never_lost() =>
        Prop.ForAll(Arb.From(Histories()), history => Run(history).All(s =>
            s.Before.Tasks.Tasks.All(before => s.After.Tasks.Find(before.Id) is { } after
                && (before.IsOpen || (after.State == before.State && after.Outcome == before.Outcome && after.WithdrawnBecause == before.WithdrawnBecause && after.ClosedAt == before.ClosedAt)))));

    [Property(MaxTest = 400)]
    public Property A_task_is_withdrawn_exactly_when_it_is_moot() =>
        Prop.ForAll(Arb.From(Histories()), history => Run(history).All(s =>
        {
            var withdrawnNow = s.After.Tasks.Tasks.Where(t => t.State == TaskState.Withdrawn && s.Before.Tasks.Find(t.Id) is not { State: TaskState.Withdrawn });
            var conditions = TaskConditions.Of(s.After).ToDictionary(c => c.Kind);
            var noneOpenMoot = s.After.Tasks.Open.All(t => t.Kind == TaskKind.ServiceCouldNotContact || conditions[t.Kind].Moot is null);
            var closedBookEmpty = s.After.Tasks.Closed is null || !s.After.Tasks.Open.Any();
            return withdrawnNow.All(t => t.WithdrawnBecause is { } why && s.Allowed.Contains(why)) && noneOpenMoot && closedBookEmpty;
        }));

    [Property(MaxTest = 200)]
    public Property An_actionable_task_always_has_its_due_time_and_it_is_17_00_in_London_on_a_working_day() =>
        Prop.ForAll(Arb.From(Histories()), history => Run(history).All(s => s.After.Tasks.Tasks.Where(t => t.Actionable).All(t =>
            Referrals.Calendar.London.At(Referrals.Calendar.London.DateOf(t.DueAt!.Value), TaskDue.EndOfDay) == t.DueAt
            && WorkingDays.IsWorkingDay(Referrals.Calendar.London.DateOf(t.DueAt.Value)) && t.DueAt > t.ActionableFrom)));
}
