using Referrals.Calendar;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Outcomes;

/// <summary>What one report did to a referral.</summary>
public enum ReportEffect
{
    /// <summary>A status (or reason) not reported before: recorded with its time.</summary>
    Applied,

    /// <summary>Reported before: its first reported time is kept, nothing changed.</summary>
    Repeated,

    /// <summary>The victim's personal data was erased or purged: acknowledged, counted, nothing changed.</summary>
    Ignored,

    /// <summary>Against a rule (<see cref="ReportStep.Rule"/>): nothing changed.</summary>
    Refused,
}

/// <summary>A report's effect, the victim's state after it (the same state unless applied), and the rule that refused it.</summary>
public sealed record ReportStep(ReportEffect Effect, VictimState Next, string? Rule = null);

/// <summary>
/// Rulebook 1.2 section 11 as pure functions: the status order that decides a referral's current status whatever order
/// reports arrive in, the first reported time of each status kept, which reports are refused and why, and the
/// ServiceCouldNotContact task (section 10) that CouldNotContact for WrongDetails, or ContactUnsafe, raises.
/// </summary>
public static class ServiceReportRule
{
    /// <summary>How far a report may be ahead of the clock that receives it (clocks differ a little).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Received &lt; ContactAttempted &lt; CouldNotContact = ContactUnsafe &lt; Contacted &lt; SupportAccepted =
    /// SupportDeclined &lt; Closed: the victim may be reached after all.
    /// </summary>
    public static int Rank(ServiceStatus status) => status switch
    {
        ServiceStatus.Received => 0,
        ServiceStatus.ContactAttempted => 1,
        ServiceStatus.CouldNotContact or ServiceStatus.ContactUnsafe => 2,
        ServiceStatus.Contacted => 3,
        ServiceStatus.SupportAccepted or ServiceStatus.SupportDeclined => 4,
        ServiceStatus.Closed => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The highest ranked status reported; of two of the same rank, the one that happened later (then by name); null before any report.</summary>
    public static ServiceStatus? Current(ServiceReports reports) => reports.FirstReported
        .OrderByDescending(e => Rank(OutcomeCodes.StatusOf(e.Key))).ThenByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal)
        .Select(e => (ServiceStatus?)OutcomeCodes.StatusOf(e.Key)).FirstOrDefault();

    /// <summary>The reason of the current status, where it has one.</summary>
    public static CouldNotContactReason? CurrentReason(ServiceReports reports) =>
        Current(reports) == ServiceStatus.CouldNotContact
            ? reports.FirstReported.Where(e => e.Key.StartsWith("CouldNotContact:", StringComparison.Ordinal)).OrderByDescending(e => e.Value)
                .Select(e => OutcomeCodes.Reason(e.Key.Split(':')[1])).FirstOrDefault()
            : null;

    /// <summary>The rule a report breaks on its own (without the referral), or null: each refusal names its rule, never a value.</summary>
    public static string? Refusal(OutcomeReport report, DateTimeOffset now) => report switch
    {
        { Status: ServiceStatus.CouldNotContact, Reason: null } => OutcomeRules.ReasonRequired,
        { Status: not ServiceStatus.CouldNotContact, Reason: not null } => OutcomeRules.ReasonNotAllowed,
        _ when report.At > now + ClockSkew => OutcomeRules.AtInFuture,
        _ => null,
    };

    /// <summary>
    /// The victim's state after <paramref name="serviceId"/> reports <paramref name="report"/> about its referral: recorded
    /// once with its time, and the ServiceCouldNotContact task raised, kept or withdrawn (<see cref="TaskFor"/>).
    /// </summary>
    public static ReportStep Apply(VictimState victim, string serviceId, OutcomeReport report, DateTimeOffset now, WorkingDayCalendar calendar, Func<DateTimeOffset, string>? newTaskId = null)
    {
        if (!victim.ReferredServices.Contains(serviceId))
        {
            return new(ReportEffect.Refused, victim, OutcomeRules.NotReferred);
        }

        if (victim.Tasks.Closed is TaskWithdrawal.Erased or TaskWithdrawal.Purged)
        {
            return new(ReportEffect.Ignored, victim);
        }

        var rule = Refusal(report, now)
            ?? (victim.ReferralStatus == ReferralStatus.Withdrawn && report.Status != ServiceStatus.Closed ? OutcomeRules.WithdrawnOnlyClosed : null);
        if (rule is not null)
        {
            return new(ReportEffect.Refused, victim, rule);
        }

        var reports = victim.Reports.For(serviceId);
        if (reports.Has(report.Code))
        {
            return new(ReportEffect.Repeated, victim);
        }

        var after = reports with { FirstReported = reports.FirstReported.Add(report.Code, report.At) };
        var next = victim with { Outcomes = victim.Reports.With(serviceId, after), UpdatedAt = now };
        return new(ReportEffect.Applied, TaskRule.Reconcile(next, [TaskFor(serviceId, after)], now, calendar, newTaskId));
    }

    /// <summary>
    /// Section 10's ServiceCouldNotContact condition for one referral: it holds once the service reported CouldNotContact for
    /// WrongDetails, or ContactUnsafe; it is moot once the service reported Contacted (or a status that needs it, the
    /// victim's answer to its offer of support). The reports only grow, so one referral raises it at most once.
    /// </summary>
    public static TaskCondition TaskFor(string serviceId, ServiceReports reports)
    {
        string[] raising = [.. new[] { "CouldNotContact:WrongDetails", nameof(ServiceStatus.ContactUnsafe) }.Where(reports.Has)];
        var contacted = reports.Has(ServiceStatus.Contacted) || reports.Has(ServiceStatus.SupportAccepted) || reports.Has(ServiceStatus.SupportDeclined);
        return TaskConditions.ServiceCouldNotContact(serviceId, raising.Length > 0, contacted, raising);
    }
}

/// <summary>What a repeated report hands on again: a crash or a failed queue after an applied report loses nothing.</summary>
public static class ReportHandOn
{
    /// <summary>
    /// The state as it was before the referral's ServiceCouldNotContact tasks: handed on from it to <paramref name="victim"/>,
    /// only those tasks' notices (and withdrawal notices) go again, which the receivers take once.
    /// </summary>
    public static VictimState Before(VictimState victim, string serviceId) => victim with
    {
        TaskBook = victim.Tasks with { Tasks = victim.Tasks.Tasks.RemoveAll(t => t.Kind == TaskKind.ServiceCouldNotContact && t.ServiceId == serviceId) },
    };
}

/// <summary>The rules a report can break, by name: what a refusal says (never a value from the report).</summary>
public static class OutcomeRules
{
    public const string ReasonRequired = "ReasonRequired: CouldNotContact needs a reason, WrongDetails or NoResponse";
    public const string ReasonNotAllowed = "ReasonNotAllowed: only CouldNotContact takes a reason";
    public const string AtInFuture = "AtInFuture: the time a status happened cannot be in the future";
    public const string NotReferred = "NotReferred: the victim was not referred to this service";
    public const string WithdrawnOnlyClosed = "WithdrawnOnlyClosed: the referral was withdrawn, so the only status it can take is Closed";
    public const string UnknownReferral = "UnknownReferral: no referral of this service has this id";
    public const string UnknownStatus = "UnknownStatus: the status is not one of rulebook section 11";
    public const string UnknownReason = "UnknownReason: the reason is not WrongDetails or NoResponse";
    public const string BadTime = "BadTime: the time is not ISO 8601, or a date and time as Excel writes them";
}
