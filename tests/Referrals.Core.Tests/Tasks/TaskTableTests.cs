using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tasks;

/// <summary>
/// Rulebook 1.2 section 10, a test for every row of its two tables and every sentence under them: which condition raises
/// each kind, when it is due, when it is moot and withdrawn; every task withdrawn when its victim leaves the crime's
/// latest snapshot or is erased; the states and who may move a task between them; and every outcome the Unit records,
/// with what each one does.
/// </summary>
public class TaskTableTests
{
    private static readonly DateTimeOffset Monday = London.At(new DateOnly(2026, 10, 5), new TimeOnly(10, 0));
    private static readonly Month October = new(2026, 10);
    private const string Sexual = "19C";
    private const string Theft = "28E";

    private readonly Func<DateTimeOffset, string> _ids = TaskIds.Sequence();

    private VictimState Step(VictimState? previous, Victim victim, string code = Sexual, long version = 1, string[]? flags = null, DateTimeOffset? now = null) =>
        VictimTransition.Apply(previous, Decide(Snapshot(code, flags, version: version, victims: victim)), now ?? Monday, October, WorkingDays, newTaskId: _ids).Next;

    private static VictimState Sent(VictimState v) => v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Sent });

    private static VictimState Delivered(VictimState v, DateTimeOffset at) => ReceiptRule.Apply(Sent(v), Channel.Email, ReceiptStatus.Delivered, null, at, at, October, WorkingDays).Next;

    private static VictimState Bounced(VictimState v, DateTimeOffset at) => ReceiptRule.Apply(Sent(v), Channel.Email, ReceiptStatus.FailedForGood, null, at, at, October, WorkingDays).Next;

    private static VcuTask Only(VictimState v, TaskKind kind) => Assert.Single(v.Tasks.Tasks, t => t.Kind == kind);

    private static VictimState Close(VictimState v, TaskKind kind, TaskOutcome outcome, DateTimeOffset at, string who = "alex")
    {
        var step = TaskRule.Close(v.Tasks.Tasks.Last(t => t.Kind == kind), outcome, who, at);
        Assert.Null(step.Refusal);
        return TaskRule.WithStep(v, step.Next!, at, WorkingDays);
    }

    // ── Row ConsentRequest: raised when a consent-pathway victim's support is NotAsked; due the later of 17:00 on the
    //    referral deadline and N = 1; withdrawn when the victim's decision is recorded (by a snapshot or by the Unit).

    [Fact]
    public void ConsentRequest_is_raised_for_a_consent_pathway_victim_not_asked_due_at_17_00_on_the_referral_deadline()
    {
        var v = Step(null, Victim(support: SupportAnswer.NotAsked));
        var task = Only(v, TaskKind.ConsentRequest);
        Assert.Equal((TaskState.Open, London.At(new DateOnly(2026, 10, 7), TaskDue.EndOfDay)), (task.State, task.DueAt));
        Assert.Equal(["SupportNotAsked", "ConsentPathway"], task.Reasons);
        Assert.Empty(Step(null, Victim(support: SupportAnswer.NotAsked), code: Theft).Tasks.Tasks);
    }

    [Fact]
    public void ConsentRequest_is_withdrawn_when_a_snapshot_records_the_decision()
    {
        var asked = Step(null, Victim(support: SupportAnswer.NotAsked));
        var accepted = Step(asked, Victim(support: SupportAnswer.Accepted), version: 2);
        var task = Only(accepted, TaskKind.ConsentRequest);
        Assert.Equal((TaskState.Withdrawn, TaskWithdrawal.DecisionRecorded), (task.State, task.WithdrawnBecause));
        Assert.Equal(ReferralStatus.Referred, accepted.ReferralStatus);
    }

    [Fact]
    public void ConsentRequest_the_Unit_closes_with_the_decision_is_done_not_withdrawn_and_raises_no_other()
    {
        var asked = Step(null, Victim(support: SupportAnswer.NotAsked));
        var snapshot = Snapshot(Sexual, victims: Victim(support: SupportAnswer.NotAsked));
        var closed = Close(asked, TaskKind.ConsentRequest, TaskOutcome.Consented, Monday.AddHours(1));
        var decided = ConsentRule.Apply(closed, Only(closed, TaskKind.ConsentRequest), TaskOutcome.Consented, "alex", Monday.AddHours(1), snapshot, snapshot.Victims[0], Rulebook).Next;
        Assert.Equal((TaskState.Done, TaskOutcome.Consented), (Only(decided, TaskKind.ConsentRequest).State, Only(decided, TaskKind.ConsentRequest).Outcome));
        Assert.Equal(ReferralStatus.Referred, decided.ReferralStatus);
    }

    // ── Row SingleSessionOffer: raised when a consent-pathway victim declines; N = 5; withdrawn when they later accept.

    [Fact]
    public void SingleSessionOffer_is_raised_when_a_consent_pathway_victim_declines_due_on_the_fifth_working_day()
    {
        var v = Step(null, Victim(support: SupportAnswer.Declined));
        var task = Only(v, TaskKind.SingleSessionOffer);
        Assert.Equal(London.At(new DateOnly(2026, 10, 12), TaskDue.EndOfDay), task.DueAt);
        Assert.Empty(Step(null, Victim(support: SupportAnswer.Declined), code: Theft).Tasks.Tasks); // OptedOut: no offer
    }

    [Fact]
    public void SingleSessionOffer_is_withdrawn_when_the_victim_later_accepts()
    {
        var declined = Step(null, Victim(support: SupportAnswer.Declined));
        var converted = Step(declined, Victim(support: SupportAnswer.Accepted), version: 2);
        Assert.Equal(ReferralStatus.ConvertedToYes, converted.ReferralStatus);
        Assert.Equal(TaskWithdrawal.ConvertedToYes, Only(converted, TaskKind.SingleSessionOffer).WithdrawnBecause);
    }

    // ── Row ContactNeeded: raised when no safe channel is left; N = 1; withdrawn when the information is delivered by any channel.

    [Fact]
    public void ContactNeeded_is_raised_when_no_channel_is_safe_with_the_reason_of_each_channel()
    {
        var v = Step(null, Victim(emailSafe: false), code: Theft);
        var task = Only(v, TaskKind.ContactNeeded);
        Assert.Equal(London.At(new DateOnly(2026, 10, 6), TaskDue.EndOfDay), task.DueAt);
        Assert.Equal(["Email:UnsafeToContact", "Sms:NoMobileNumber", "Letter:NoPostalAddress"], task.Reasons);
        Assert.Empty(Step(null, Victim(emailSafe: null), code: Theft).Tasks.Tasks); // opt-out pathway: an address not flagged is safe
        Assert.Equal(["Email:NotConfirmedSafe", "Sms:NoMobileNumber", "Letter:NoPostalAddress"], Step(null, Victim(emailSafe: null)).Tasks.Tasks.Single(t => t.Kind == TaskKind.ContactNeeded).Reasons);
    }

    [Fact]
    public void ContactNeeded_is_raised_when_every_safe_channel_failed_and_names_the_failure()
    {
        var v = Bounced(Step(null, Victim(), code: Theft), Monday.AddHours(2));
        Assert.Equal(["Email:Failed", "Sms:NoMobileNumber", "Letter:NoPostalAddress"], Only(v, TaskKind.ContactNeeded).Reasons);
    }

    [Fact]
    public void ContactNeeded_stays_open_while_a_channel_that_became_safe_is_tried_and_is_withdrawn_once_it_is_delivered()
    {
        var unsafeEmail = Step(null, Victim(emailSafe: false), code: Theft);
        var queued = Step(unsafeEmail, Victim(emailSafe: true), code: Theft, version: 2);
        Assert.Equal((MessageStatus.Queued, TaskState.Open), (queued.Contact.Email.Status, Only(queued, TaskKind.ContactNeeded).State));
        var delivered = Delivered(queued, Monday.AddHours(3));
        Assert.Equal((TaskState.Withdrawn, TaskWithdrawal.Informed), (Only(delivered, TaskKind.ContactNeeded).State, Only(delivered, TaskKind.ContactNeeded).WithdrawnBecause));
    }

    // ── Row ServiceCouldNotContact: raised for one referral when the service reports CouldNotContact (WrongDetails) or
    //    ContactUnsafe; N = 1; withdrawn when that service later reports Contacted.

    [Fact]
    public void ServiceCouldNotContact_is_raised_per_referral_and_withdrawn_when_that_service_reports_contacted()
    {
        var v = Step(null, Victim(support: SupportAnswer.Accepted));
        var reported = TaskRule.Reconcile(v,
            [TaskConditions.ServiceCouldNotContact("general", true, false, ["CouldNotContact:WrongDetails"]), TaskConditions.ServiceCouldNotContact("isva", true, false, ["ContactUnsafe"])],
            Monday, WorkingDays, _ids);
        Assert.Equal([("general", TaskState.Open), ("isva", TaskState.Open)], reported.Tasks.Tasks.Select(t => (t.ServiceId!, t.State)));
        Assert.Equal(London.At(new DateOnly(2026, 10, 6), TaskDue.EndOfDay), reported.Tasks.Tasks[0].DueAt);
        Assert.Equal(["general:CouldNotContact:WrongDetails"], reported.Tasks.Tasks[0].Reasons);

        var contacted = TaskRule.Reconcile(reported, [TaskConditions.ServiceCouldNotContact("general", true, true, ["Contacted"])], Monday.AddDays(1), WorkingDays, _ids);
        Assert.Equal([TaskState.Withdrawn, TaskState.Open], contacted.Tasks.Tasks.Select(t => t.State));
        Assert.Equal(TaskWithdrawal.ServiceContacted, contacted.Tasks.Tasks[0].WithdrawnBecause);
    }

    [Fact]
    public void ServiceCouldNotContact_is_not_raised_for_no_response()
    {
        var v = Step(null, Victim(support: SupportAnswer.Accepted));
        Assert.Empty(TaskRule.Reconcile(v, [TaskConditions.ServiceCouldNotContact("general", false, false, ["CouldNotContact:NoResponse"])], Monday, WorkingDays, _ids).Tasks.Tasks);
    }

    // ── "Every task is also withdrawn when its victim is no longer in the crime's latest snapshot or is erased."

    [Fact]
    public void Every_open_task_is_withdrawn_when_the_victim_leaves_the_latest_snapshot_and_tasks_come_back_with_them()
    {
        var v = Step(null, Victim(support: SupportAnswer.NotAsked, emailSafe: null));
        Assert.Equal(2, v.Tasks.Open.Count());
        var left = TaskRule.CloseBook(v, TaskWithdrawal.NotInLatestSnapshot, Monday.AddHours(1));
        Assert.All(left.Tasks.Tasks, t => Assert.Equal((TaskState.Withdrawn, TaskWithdrawal.NotInLatestSnapshot), (t.State, t.WithdrawnBecause)));
        Assert.Equal(left, TaskRule.Reconcile(left, Monday.AddHours(2), WorkingDays, _ids)); // nothing raised while they are absent

        var back = Step(left, Victim(support: SupportAnswer.NotAsked, emailSafe: null), version: 3);
        Assert.Equal(2, back.Tasks.Open.Count());
        Assert.Equal(4, back.Tasks.Tasks.Select(t => t.Id).Distinct().Count()); // new tasks, new ids
    }

    [Fact]
    public void Every_open_task_is_withdrawn_when_the_victim_is_erased_and_none_is_raised_again()
    {
        var v = Step(null, Victim(support: SupportAnswer.NotAsked));
        var erased = TaskRule.CloseBook(v, TaskWithdrawal.Erased, Monday.AddHours(1));
        Assert.Equal(TaskWithdrawal.Erased, Only(erased, TaskKind.ConsentRequest).WithdrawnBecause);
        Assert.Equal(erased, TaskRule.Reopen(erased));
        Assert.Equal(TaskWithdrawal.Erased, TaskRule.CloseBook(erased, TaskWithdrawal.NotInLatestSnapshot, Monday).Tasks.Closed);
    }

    // ── "At most one task of a kind is open per victim; a new one (with a new id) is raised when its condition holds again
    //    after one was withdrawn or done."

    [Fact]
    public void A_new_task_with_a_new_id_is_raised_when_its_condition_holds_again_after_one_was_withdrawn()
    {
        var asked = Step(null, Victim(support: SupportAnswer.NotAsked));
        var accepted = Step(asked, Victim(support: SupportAnswer.Accepted), version: 2);
        var askedAgain = Step(accepted, Victim(support: SupportAnswer.NotAsked), version: 3); // the record corrected
        Assert.Equal([TaskState.Withdrawn, TaskState.Open], askedAgain.Tasks.Tasks.Select(t => t.State));
        Assert.NotEqual(askedAgain.Tasks.Tasks[0].Id, askedAgain.Tasks.Tasks[1].Id);
    }

    [Fact]
    public void A_delivered_message_that_fails_later_raises_a_new_ContactNeeded()
    {
        // The rulebook's example: the information delivered (moot), then no safe channel again (a later bounce, issue 22).
        var raised = Step(null, Victim(emailSafe: false), code: Theft);
        var informed = TaskRule.Reconcile(raised, [new TaskCondition(TaskKind.ContactNeeded, null, false, TaskWithdrawal.Informed, [])], Monday.AddHours(1), WorkingDays, _ids);
        var again = TaskRule.Reconcile(informed, [new TaskCondition(TaskKind.ContactNeeded, null, true, null, ["Email:Failed"])], Monday.AddHours(2), WorkingDays, _ids);
        Assert.Equal([TaskState.Withdrawn, TaskState.Open], again.Tasks.Tasks.Select(t => t.State));
        Assert.Equal(["Email:Failed"], again.Tasks.Tasks[1].Reasons);
    }

    [Fact]
    public void A_task_done_is_not_raised_again_while_its_condition_still_holds_but_is_once_it_held_again()
    {
        var v = Close(Step(null, Victim(emailSafe: false), code: Theft), TaskKind.ContactNeeded, TaskOutcome.NotReached, Monday.AddHours(1));
        var same = Step(v, Victim(emailSafe: false), code: Theft, version: 2);
        Assert.Single(same.Tasks.Tasks); // done, and nothing changed: no second task

        var tried = Step(same, Victim(emailSafe: true), code: Theft, version: 3);
        var failed = Bounced(tried, Monday.AddHours(5));
        Assert.Equal([TaskState.Done, TaskState.Open], failed.Tasks.Tasks.Select(t => t.State));
    }

    [Fact]
    public void Never_two_open_tasks_of_a_kind_for_a_victim()
    {
        var v = Step(null, Victim(support: SupportAnswer.NotAsked, emailSafe: null));
        for (var version = 2; version < 6; version++)
        {
            v = Step(v, Victim(support: SupportAnswer.NotAsked, emailSafe: null), version: version);
        }

        Assert.All(v.Tasks.Tasks.GroupBy(t => t.Kind), g => Assert.Single(g));
    }

    // ── States: Open, Claimed by a named operator (who can release it), Done with an outcome, Withdrawn with the reason;
    //    done and withdrawn tasks never reopen.

    [Fact]
    public void A_task_is_claimed_by_a_named_operator_who_alone_can_release_or_close_it()
    {
        var task = Only(Step(null, Victim(support: SupportAnswer.NotAsked)), TaskKind.ConsentRequest);
        var claimed = TaskRule.Claim(task, "alex", Monday).Next!;
        Assert.Equal((TaskState.Claimed, "alex"), (claimed.State, claimed.ClaimedBy));
        Assert.Equal(claimed, TaskRule.Claim(claimed, "alex", Monday).Next);
        Assert.Equal("the task is claimed by alex: they release it, or close it", TaskRule.Claim(claimed, "sam", Monday).Refusal);
        Assert.Equal("the task is claimed by alex: only they can release it", TaskRule.Release(claimed, "sam", Monday).Refusal);
        Assert.Equal("the task is claimed by alex: they close it, or release it first", TaskRule.Close(claimed, TaskOutcome.NotReached, "sam", Monday).Refusal);
        var released = TaskRule.Release(claimed, "alex", Monday).Next!;
        Assert.Equal((TaskState.Open, null), (released.State, released.ClaimedBy));
        Assert.Equal("the task is not claimed: nothing to release", TaskRule.Release(released, "alex", Monday).Refusal);
        Assert.Equal(["Raised", "Claimed", "Released"], released.History.Select(h => h.What));
        Assert.Equal([null, "alex", "alex"], released.History.Select(h => h.Operator));
    }

    [Fact]
    public void Done_and_withdrawn_tasks_never_reopen()
    {
        var task = Only(Step(null, Victim(support: SupportAnswer.NotAsked)), TaskKind.ConsentRequest);
        var done = TaskRule.Close(task, TaskOutcome.NotReached, "alex", Monday).Next!;
        var withdrawn = TaskRule.Withdraw(task, TaskWithdrawal.DecisionRecorded, Monday);
        foreach (var closed in new[] { done, withdrawn })
        {
            Assert.NotNull(TaskRule.Claim(closed, "alex", Monday).Refusal);
            Assert.NotNull(TaskRule.Release(closed, "alex", Monday).Refusal);
            Assert.NotNull(TaskRule.Close(closed, TaskOutcome.NotReached, "alex", Monday).Refusal);
            Assert.Equal(closed, TaskRule.Withdraw(closed, TaskWithdrawal.Erased, Monday));
        }

        Assert.Equal("the task is already done (NotReached, by alex): done tasks never reopen", TaskRule.Close(done, TaskOutcome.Consented, "sam", Monday).Refusal);
        Assert.Equal("the task was withdrawn (DecisionRecorded): withdrawn tasks never reopen", TaskRule.Claim(withdrawn, "sam", Monday).Refusal);
    }

    [Fact]
    public void An_open_or_claimed_task_past_its_due_time_is_overdue_and_a_closed_one_is_not()
    {
        var task = Only(Step(null, Victim(emailSafe: false), code: Theft), TaskKind.ContactNeeded);
        var due = task.DueAt!.Value;
        Assert.False(task.IsOverdue(due));
        Assert.True(task.IsOverdue(due.AddMinutes(1)));
        Assert.True(TaskRule.Claim(task, "alex", Monday).Next!.IsOverdue(due.AddMinutes(1)));
        var doneLate = TaskRule.Close(task, TaskOutcome.NotReached, "alex", due.AddHours(1)).Next!;
        Assert.False(doneLate.IsOverdue(due.AddDays(1)));
        Assert.True(doneLate.WasOverdue(due.AddDays(1)));
        Assert.False(TaskRule.Close(task, TaskOutcome.NotReached, "alex", due).Next!.WasOverdue(due.AddDays(1)));
    }

    // ── Section 9: a task raised while the crime is held is recorded but not actionable; its due time starts when the hold
    //    lifts; one raised before the hold stays open and shows it.

    [Fact]
    public void A_task_raised_during_a_hold_is_not_work_until_the_hold_lifts_and_is_due_from_then()
    {
        var held = Step(null, Victim(emailSafe: false), code: Theft, flags: ["HoldContact"]);
        var task = Only(held, TaskKind.ContactNeeded);
        Assert.Equal((false, (DateTimeOffset?)null), (task.Actionable, task.DueAt));
        Assert.NotNull(TaskRule.Claim(task, "alex", Monday).Refusal);
        Assert.Empty(WorkPlan.Between(null, held));

        var lifted = Step(held, Victim(emailSafe: false), code: Theft, version: 2, now: London.At(new DateOnly(2026, 10, 7), new TimeOnly(18, 30)));
        var actionable = Only(lifted, TaskKind.ContactNeeded);
        Assert.Equal(London.At(new DateOnly(2026, 10, 9), TaskDue.EndOfDay), actionable.DueAt); // counts from Thursday
        Assert.Equal(task.Id, actionable.Id);
        Assert.Equal([new PlannedDelivery(DeliveryKind.ContactNeeded, VictimCareUnit(), task.Id)], WorkPlan.Between(held, lifted).Where(p => p.TaskId is not null));
    }

    [Fact]
    public void A_task_raised_before_a_hold_stays_open_and_its_withdrawal_notice_waits_for_the_hold_to_lift()
    {
        var open = Step(null, Victim(support: SupportAnswer.NotAsked));
        var held = Step(open, Victim(support: SupportAnswer.NotAsked), version: 2, flags: ["HoldContact"]);
        Assert.Equal((TaskState.Open, true), (Only(held, TaskKind.ConsentRequest).State, Only(held, TaskKind.ConsentRequest).Actionable));
        var decided = Step(held, Victim(support: SupportAnswer.Accepted), version: 3, flags: ["HoldContact"]);
        Assert.Equal(TaskState.Withdrawn, Only(decided, TaskKind.ConsentRequest).State);
        Assert.Empty(WorkPlan.Between(held, decided));
        var lifted = Step(decided, Victim(support: SupportAnswer.Accepted), version: 4);
        Assert.Contains(new PlannedDelivery(DeliveryKind.TaskWithdrawn, VictimCareUnit(), Only(lifted, TaskKind.ConsentRequest).Id), WorkPlan.Between(decided, lifted));
    }

    [Fact]
    public void A_task_raised_and_withdrawn_during_a_hold_is_never_sent_nor_its_withdrawal()
    {
        var held = Step(null, Victim(support: SupportAnswer.NotAsked), flags: ["HoldContact"]);
        var decided = Step(held, Victim(support: SupportAnswer.Accepted), version: 2, flags: ["HoldContact"]);
        var lifted = Step(decided, Victim(support: SupportAnswer.Accepted), version: 3);
        Assert.Equal(TaskState.Withdrawn, Only(lifted, TaskKind.ConsentRequest).State);
        Assert.DoesNotContain(WorkPlan.Between(decided, lifted), p => p.TaskId is not null);
    }

    // ── Outcomes the Unit records, row by row.

    [Theory]
    [InlineData(TaskKind.ConsentRequest, new[] { TaskOutcome.Consented, TaskOutcome.Declined, TaskOutcome.NotReached })]
    [InlineData(TaskKind.SingleSessionOffer, new[] { TaskOutcome.Accepted, TaskOutcome.Declined, TaskOutcome.NotReached })]
    [InlineData(TaskKind.ContactNeeded, new[] { TaskOutcome.InformedInPerson, TaskOutcome.NotReached })]
    [InlineData(TaskKind.ServiceCouldNotContact, new[] { TaskOutcome.DetailsPassedToService, TaskOutcome.ReachedByUnit, TaskOutcome.NotReached })]
    public void Each_kind_is_closed_with_the_outcomes_of_its_row_and_no_other(TaskKind kind, TaskOutcome[] outcomes)
    {
        Assert.Equal(outcomes, TaskOutcomes.For(kind));
        var task = new VcuTask("T2610-0000-0001", kind, null, TaskState.Open, Monday, Monday.AddDays(1), Monday, [], []);
        foreach (var outcome in Enum.GetValues<TaskOutcome>())
        {
            var step = TaskRule.Close(task, outcome, "alex", Monday);
            Assert.Equal(outcomes.Contains(outcome), step.Refusal is null);
            if (step.Next is { } done)
            {
                Assert.Equal((TaskState.Done, outcome, "alex", Monday), (done.State, done.Outcome, done.ClosedBy, done.ClosedAt));
            }
        }
    }

    [Fact]
    public void Consented_refers_to_every_eligible_service_at_once_as_if_a_snapshot_had_recorded_Accepted()
    {
        var (decided, _) = UnitDecides(TaskOutcome.Consented);
        Assert.Equal(ReferralStatus.Referred, decided.ReferralStatus);
        Assert.Equal(["general", "isva"], decided.ReferredServices);
        Assert.Equal((SupportAnswer.Accepted, SupportAnswer.NotAsked, "alex"), (decided.Consent!.Support, decided.Consent.LastSnapshot, decided.Consent.UnitOperator));
        Assert.Contains(TallyCategories.AcceptedAndReferred, decided.Counted.Keys);
    }

    [Fact]
    public void Declined_raises_a_single_session_offer_at_once()
    {
        var (decided, before) = UnitDecides(TaskOutcome.Declined);
        Assert.Equal(ReferralStatus.Declined, decided.ReferralStatus);
        Assert.Equal(TaskState.Open, Only(decided, TaskKind.SingleSessionOffer).State);
        Assert.Contains(WorkPlan.Between(before, decided), p => p.Kind == DeliveryKind.SingleSessionOffer);
    }

    [Fact]
    public void A_later_snapshot_repeating_the_last_support_does_not_undo_the_Units_decision()
    {
        var (decided, _) = UnitDecides(TaskOutcome.Consented);
        var (support, consent, kept) = ConsentRule.OnSnapshot(decided.Consent, SupportAnswer.NotAsked, Monday.AddDays(2));
        Assert.Equal(SupportAnswer.Accepted, support);
        Assert.Equal(decided.Consent, consent);
        Assert.Contains("stays in force", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_snapshot_with_a_new_decision_sent_after_the_Units_replaces_it_and_one_sent_before_does_not()
    {
        var (decided, _) = UnitDecides(TaskOutcome.Consented);
        var after = ConsentRule.OnSnapshot(decided.Consent, SupportAnswer.Declined, Monday.AddDays(2));
        Assert.Equal((SupportAnswer.Declined, (string?)null, (DateTimeOffset?)null), (after.Decide, after.Reason, after.Next.UnitDecidedAt));
        var before = ConsentRule.OnSnapshot(decided.Consent, SupportAnswer.Declined, Monday.AddMinutes(30));
        Assert.Equal((SupportAnswer.Accepted, SupportAnswer.Declined), (before.Decide, before.Next.LastSnapshot));
    }

    [Fact]
    public void A_change_of_pathway_does_not_undo_the_Units_decision()
    {
        var (decided, _) = UnitDecides(TaskOutcome.Declined);
        var (support, consent, _) = ConsentRule.OnSnapshot(decided.Consent, SupportAnswer.NotAsked, Monday.AddDays(1));
        var optOut = VictimTransition.Apply(decided, Decide(Snapshot(Theft, version: 2, victims: Victim(support: support))), Monday.AddDays(1), October, WorkingDays, consent, _ids).Next;
        Assert.Equal(ReferralStatus.OptedOut, optOut.ReferralStatus);
    }

    [Fact]
    public void InformedInPerson_counts_the_victim_informed_by_the_route_InPerson_not_in_writing()
    {
        var v = Close(Step(null, Victim(emailSafe: false), code: Theft), TaskKind.ContactNeeded, TaskOutcome.InformedInPerson, London.At(new DateOnly(2026, 11, 2), new TimeOnly(11, 0)));
        Assert.Equal(new Month(2026, 11), v.Counted[TallyCategories.InPerson]);
        Assert.Equal(new Month(2026, 11), v.Counted[TallyCategories.Informed]);
        Assert.DoesNotContain(TallyCategories.InformedInWriting, v.Counted.Keys);
        Assert.Equal(MessageStatus.Suppressed, v.Contact.Email.Status); // no automated message follows
    }

    [Fact]
    public void NotReached_closes_the_task_and_nothing_further_is_automated()
    {
        var v = Close(Step(null, Victim(support: SupportAnswer.NotAsked)), TaskKind.ConsentRequest, TaskOutcome.NotReached, Monday.AddHours(1));
        var again = Step(v, Victim(support: SupportAnswer.NotAsked), version: 2);
        Assert.Equal([TaskState.Done], again.Tasks.Tasks.Select(t => t.State));
        Assert.Equal(ReferralStatus.AwaitingConsent, again.ReferralStatus);
        Assert.Empty(WorkPlan.Between(v, again));
    }

    private (VictimState Decided, VictimState Before) UnitDecides(TaskOutcome outcome)
    {
        var asked = Step(null, Victim(support: SupportAnswer.NotAsked));
        var snapshot = Snapshot(Sexual, victims: Victim(support: SupportAnswer.NotAsked));
        var at = Monday.AddHours(1);
        var closed = Close(asked, TaskKind.ConsentRequest, outcome, at);
        return (ConsentRule.Apply(closed, Only(closed, TaskKind.ConsentRequest), outcome, "alex", at, snapshot, snapshot.Victims[0], Rulebook).Next, asked);
    }

    private static string VictimCareUnit() => Referrals.Rules.VictimCareUnit.Id;
}
