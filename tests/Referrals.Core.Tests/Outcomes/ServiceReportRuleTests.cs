using Referrals.Calendar;
using Referrals.Forwarding;
using Referrals.Outcomes;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Outcomes;

/// <summary>
/// Rulebook 1.2 section 11, sentence by sentence: the status order decides the current status whatever order reports
/// arrive in; the first reported time of each status is kept; a repeat changes nothing; a withdrawn referral takes only
/// Closed; an erased victim's referral acknowledges and changes nothing; CouldNotContact for WrongDetails, and
/// ContactUnsafe, raise one ServiceCouldNotContact task for that referral (section 10), moot once the service reports Contacted.
/// </summary>
public class ServiceReportRuleTests
{
    private static readonly DateTimeOffset Monday = London.At(new DateOnly(2026, 10, 5), new TimeOnly(10, 0));
    private static readonly DateTimeOffset Now = Monday.AddDays(3);

    private static readonly VictimState Referred =
        VictimTransition.Apply(null, Decide(Snapshot("28E", victims: Victim())), Monday, new Month(2026, 10), WorkingDays).Next;

    private static string Service => Referred.ReferredServices.First();

    private static OutcomeReport At(ServiceStatus status, int hours, CouldNotContactReason? reason = null) => new(status, reason, Monday.AddHours(hours));

    private static ReportStep Report(VictimState victim, OutcomeReport report, string? service = null) =>
        ServiceReportRule.Apply(victim, service ?? Service, report, Now, WorkingDays, TaskIds.Sequence());

    private static VictimState All(params OutcomeReport[] reports) =>
        reports.Aggregate(Referred, (v, r) => Report(v, r).Next);

    [Fact]
    public void The_status_order_decides_the_current_status_whatever_order_the_reports_arrive_in()
    {
        OutcomeReport[] reports = [At(ServiceStatus.Received, 1), At(ServiceStatus.ContactAttempted, 2), At(ServiceStatus.CouldNotContact, 3, CouldNotContactReason.NoResponse), At(ServiceStatus.Contacted, 4), At(ServiceStatus.SupportAccepted, 5)];
        foreach (var order in Permutations(reports))
        {
            Assert.Equal(ServiceStatus.SupportAccepted, ServiceReportRule.Current(All([.. order]).Reports.For(Service)));
        }

        Assert.Equal(ServiceStatus.Closed, ServiceReportRule.Current(All(At(ServiceStatus.Closed, 9), At(ServiceStatus.SupportDeclined, 8)).Reports.For(Service)));
        Assert.Equal(ServiceStatus.Contacted, ServiceReportRule.Current(All(At(ServiceStatus.Contacted, 3), At(ServiceStatus.ContactUnsafe, 4)).Reports.For(Service)));
        Assert.Equal(ServiceStatus.ContactUnsafe, ServiceReportRule.Current(All(At(ServiceStatus.ContactAttempted, 3), At(ServiceStatus.ContactUnsafe, 2)).Reports.For(Service)));
        Assert.Null(ServiceReportRule.Current(ServiceReports.None));
    }

    [Fact]
    public void Any_status_may_be_first_and_the_first_reported_time_of_each_is_kept_a_repeat_changing_nothing()
    {
        var first = Report(Referred, At(ServiceStatus.Contacted, 2));
        Assert.Equal(ReportEffect.Applied, first.Effect);
        var again = Report(first.Next, At(ServiceStatus.Contacted, 7));
        Assert.Equal((ReportEffect.Repeated, first.Next), (again.Effect, again.Next));
        Assert.Equal(Monday.AddHours(2), again.Next.Reports.For(Service).FirstReported["Contacted"]);
    }

    [Fact]
    public void Each_reason_of_CouldNotContact_is_kept_apart_and_the_current_reason_is_the_later()
    {
        var v = All(At(ServiceStatus.CouldNotContact, 2, CouldNotContactReason.NoResponse), At(ServiceStatus.CouldNotContact, 5, CouldNotContactReason.WrongDetails));
        Assert.Equal(["CouldNotContact:NoResponse", "CouldNotContact:WrongDetails"], v.Reports.For(Service).FirstReported.Keys);
        Assert.Equal(CouldNotContactReason.WrongDetails, ServiceReportRule.CurrentReason(v.Reports.For(Service)));
    }

    [Theory]
    [InlineData(ServiceStatus.CouldNotContact, null, 1, OutcomeRules.ReasonRequired)]
    [InlineData(ServiceStatus.Contacted, CouldNotContactReason.WrongDetails, 1, OutcomeRules.ReasonNotAllowed)]
    [InlineData(ServiceStatus.Received, null, 24 * 3 + 1, OutcomeRules.AtInFuture)]
    public void A_report_against_a_rule_is_refused_by_the_rule_s_name_and_changes_nothing(ServiceStatus status, CouldNotContactReason? reason, int hours, string rule)
    {
        var step = Report(Referred, At(status, hours, reason));
        Assert.Equal((ReportEffect.Refused, rule, Referred), (step.Effect, step.Rule, step.Next));
        Assert.StartsWith(rule.Split(':')[0] + ":", step.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_the_victim_was_not_referred_to_is_refused()
    {
        var step = Report(Referred, At(ServiceStatus.Received, 1), service: "another-service");
        Assert.Equal((ReportEffect.Refused, OutcomeRules.NotReferred), (step.Effect, step.Rule));
        Assert.Equal(ReportEffect.Applied, Report(Referred, At(ServiceStatus.Received, 1)).Effect);
    }

    [Fact]
    public void A_withdrawn_referral_takes_only_Closed()
    {
        var withdrawn = Referred with { ReferralStatus = ReferralStatus.Withdrawn };
        Assert.Equal(OutcomeRules.WithdrawnOnlyClosed, Report(withdrawn, At(ServiceStatus.Contacted, 1)).Rule);
        var closed = Report(withdrawn, At(ServiceStatus.Closed, 1));
        Assert.Equal((ReportEffect.Applied, ServiceStatus.Closed), (closed.Effect, ServiceReportRule.Current(closed.Next.Reports.For(Service))));
    }

    [Fact]
    public void An_erased_victim_s_referral_is_acknowledged_and_nothing_changes()
    {
        var erased = TaskRule.CloseBook(Referred, TaskWithdrawal.Erased, Monday);
        var step = Report(erased, At(ServiceStatus.CouldNotContact, 1, CouldNotContactReason.WrongDetails));
        Assert.Equal((ReportEffect.Ignored, erased), (step.Effect, step.Next));
        Assert.Empty(step.Next.Tasks.Tasks);
    }

    [Theory]
    [InlineData(ServiceStatus.CouldNotContact, CouldNotContactReason.WrongDetails, "CouldNotContact:WrongDetails")]
    [InlineData(ServiceStatus.ContactUnsafe, null, "ContactUnsafe")]
    public void WrongDetails_and_ContactUnsafe_raise_one_ServiceCouldNotContact_task_for_the_referral_due_next_working_day(ServiceStatus status, CouldNotContactReason? reason, string code)
    {
        var v = All(At(ServiceStatus.Received, 1), At(status, 2, reason));
        var task = Assert.Single(v.Tasks.Tasks);
        Assert.Equal((TaskKind.ServiceCouldNotContact, Service, TaskState.Open), (task.Kind, task.ServiceId, task.State));
        Assert.Equal([$"{Service}:{code}"], task.Reasons);
        Assert.Equal(London.At(new DateOnly(2026, 10, 9), TaskDue.EndOfDay), task.DueAt);
        Assert.Contains(new PlannedDelivery(DeliveryKind.ServiceCouldNotContact, Referrals.Rules.VictimCareUnit.Id, task.Id), WorkPlan.Between(Referred, v));
    }

    [Fact]
    public void Repeats_and_the_other_raising_status_raise_no_second_task_even_after_the_first_is_done()
    {
        var v = All(At(ServiceStatus.CouldNotContact, 2, CouldNotContactReason.WrongDetails), At(ServiceStatus.CouldNotContact, 3, CouldNotContactReason.WrongDetails));
        var done = TaskRule.WithStep(v, TaskRule.Close(Assert.Single(v.Tasks.Tasks), TaskOutcome.DetailsPassedToService, "alex", Now).Next!, Now, WorkingDays);
        var after = Report(done, At(ServiceStatus.ContactUnsafe, 4)).Next;
        Assert.Equal(TaskState.Done, Assert.Single(after.Tasks.Tasks).State);
    }

    [Fact]
    public void NoResponse_raises_no_task()
    {
        var v = All(At(ServiceStatus.ContactAttempted, 1), At(ServiceStatus.CouldNotContact, 2, CouldNotContactReason.NoResponse));
        Assert.Empty(v.Tasks.Tasks);
        Assert.Equal(ServiceStatus.CouldNotContact, ServiceReportRule.Current(v.Reports.For(Service)));
    }

    [Theory]
    [InlineData(ServiceStatus.Contacted)]
    [InlineData(ServiceStatus.SupportDeclined)]
    public void The_task_is_withdrawn_when_the_service_later_reaches_the_victim_and_none_is_raised_after(ServiceStatus reached)
    {
        var v = All(At(ServiceStatus.ContactUnsafe, 1), At(reached, 2), At(ServiceStatus.CouldNotContact, 3, CouldNotContactReason.WrongDetails));
        var task = Assert.Single(v.Tasks.Tasks);
        Assert.Equal((TaskState.Withdrawn, TaskWithdrawal.ServiceContacted), (task.State, task.WithdrawnBecause));
    }

    [Fact]
    public void A_task_a_report_raises_while_the_crime_is_held_is_not_work_until_a_snapshot_lifts_the_hold()
    {
        var held = VictimTransition.Apply(Referred, Decide(Snapshot("28E", ["HoldContact"], version: 2, victims: Victim())), Monday.AddDays(1), new Month(2026, 10), WorkingDays).Next;
        var reported = Report(held, At(ServiceStatus.ContactUnsafe, 30)).Next;
        Assert.False(Assert.Single(reported.Tasks.Tasks).Actionable);
        Assert.DoesNotContain(WorkPlan.Between(held, reported), p => p.Kind == DeliveryKind.ServiceCouldNotContact);

        var lifted = VictimTransition.Apply(reported, Decide(Snapshot("28E", version: 3, victims: Victim())), Now, new Month(2026, 10), WorkingDays).Next;
        var task = Assert.Single(lifted.Tasks.Tasks);
        Assert.Equal((TaskState.Open, (DateTimeOffset?)London.At(new DateOnly(2026, 10, 9), TaskDue.EndOfDay)), (task.State, task.DueAt));
        Assert.Contains(new PlannedDelivery(DeliveryKind.ServiceCouldNotContact, Referrals.Rules.VictimCareUnit.Id, task.Id), WorkPlan.Between(reported, lifted));
    }

    private static IEnumerable<IEnumerable<OutcomeReport>> Permutations(OutcomeReport[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items.Where((_, j) => j != i)]).Select(rest => rest.Prepend(item)));
}
