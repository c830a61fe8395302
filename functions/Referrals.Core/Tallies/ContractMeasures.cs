using Referrals.Calendar;
using Referrals.Outcomes;
using Referrals.Rules;

namespace Referrals.Tallies;

/// <summary>One referral that reached its service, and what the service reported about it so far (rulebook 1.2 section 11).</summary>
/// <param name="Id">The delivery id: a referral counts once however often it is read (a redelivered work item, two index rows).</param>
public sealed record DeliveredReferral(string Id, string ServiceId, DateTimeOffset DeliveredAt, ServiceReports Reports);

/// <summary>
/// The contract measures of rulebook 1.2 section 11, per service and month of the referral's delivery: recounted from the
/// referrals' current reports each time (never accumulated), so the order reports arrived in and a repeated report change
/// nothing. Each measure counts a referral once if it ever reported that status; a later status removes no earlier count.
/// Times are the times the service reported (when the status happened), in Europe/London working days.
/// </summary>
public static class ContractMeasures
{
    public const string Prefix = "Contract.";

    public const string Delivered = Prefix + "Delivered";
    public const string Acknowledged = Prefix + "Acknowledged";
    public const string AttemptedWithinTarget = Prefix + "AttemptedWithinTarget";
    public const string Contacted = Prefix + "Contacted";
    public const string Accepted = Prefix + "Accepted";
    public const string Declined = Prefix + "Declined";
    public const string WrongDetails = Prefix + "CouldNotContactWrongDetails";
    public const string NoResponse = Prefix + "CouldNotContactNoResponse";
    public const string ContactUnsafe = Prefix + "ContactUnsafe";
    public const string NoReportByTarget = Prefix + "NoReportByTarget";

    /// <summary>
    /// The working days from delivery to the first attempt, in buckets (<c>.0</c> … <c>.6+</c>) per service: not published
    /// (a median of them is, over at least N referrals), stored beside the counts so a quarter's median is exact.
    /// </summary>
    public const string FirstAttemptPrefix = Prefix + "FirstAttemptAfterWorkingDays.";

    /// <summary>Rulebook 1.2 section 12: the measures stay provisional until this many working days after the month's last target date.</summary>
    public const int ProvisionalWorkingDays = 10;

    /// <summary>Every measure, in the funnel's order.</summary>
    public static readonly IReadOnlyList<string> All = [Delivered, Acknowledged, AttemptedWithinTarget, Contacted, Accepted, Declined, WrongDetails, NoResponse, ContactUnsafe, NoReportByTarget];

    /// <summary>The statuses that mean the service tried to reach the victim: the first of them is the first attempt.</summary>
    private static readonly ServiceStatus[] Attempts = [ServiceStatus.ContactAttempted, ServiceStatus.Contacted, ServiceStatus.CouldNotContact, ServiceStatus.SupportAccepted, ServiceStatus.SupportDeclined];

    private static readonly ServiceStatus[] Spoke = [ServiceStatus.Contacted, ServiceStatus.SupportAccepted, ServiceStatus.SupportDeclined];

    public static string ForService(string measure, string serviceId) => $"{measure}.{serviceId}";

    /// <summary>The bucket of a service's referral first attempted <paramref name="workingDays"/> working days after delivery.</summary>
    public static string FirstAttemptAfter(string serviceId, int workingDays) =>
        $"{FirstAttemptPrefix}{serviceId}.{(workingDays >= TallyCategories.InformedAfterOpenBucket ? $"{TallyCategories.InformedAfterOpenBucket}+" : Math.Max(0, workingDays))}";

    /// <summary>Every bucket of a service's working days to the first attempt (<c>null</c>: all services), in order.</summary>
    public static IReadOnlyList<string> FirstAttemptAfter(string? serviceId) =>
        [.. Enumerable.Range(0, TallyCategories.InformedAfterOpenBucket + 1).Select(d => serviceId is null ? $"{FirstAttemptPrefix}{(d >= TallyCategories.InformedAfterOpenBucket ? $"{d}+" : d)}" : FirstAttemptAfter(serviceId, d))];

    /// <summary>The working day a delivery counts from: its date, or the next working day when that is not one.</summary>
    public static DateOnly CountsFrom(DateTimeOffset deliveredAt, WorkingDayCalendar calendar)
    {
        var day = London.DateOf(deliveredAt);
        return calendar.IsWorkingDay(day) ? day : calendar.AddWorkingDays(day, 1);
    }

    /// <summary>The last instant of the Nth working day after the day a delivery counts from (N = 0: that day).</summary>
    public static DateTimeOffset EndOf(DateTimeOffset deliveredAt, int workingDays, WorkingDayCalendar calendar) =>
        London.At(calendar.AddWorkingDays(CountsFrom(deliveredAt, calendar), workingDays).AddDays(1), TimeOnly.MinValue).AddTicks(-1);

    /// <summary>
    /// The measures of the referrals delivered in one month, per service and in total, as they stand at <paramref name="now"/>:
    /// "no report by the target" counts only once the target has passed. Buckets of the working days to the first attempt
    /// are included (<see cref="FirstAttemptPrefix"/>).
    /// </summary>
    public static Dictionary<string, long> Count(IEnumerable<DeliveredReferral> referrals, Func<string, int> targetOf, DateTimeOffset now, WorkingDayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(targetOf);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string measure, string service)
        {
            counts[measure] = counts.GetValueOrDefault(measure) + 1;
            var key = measure.StartsWith(FirstAttemptPrefix, StringComparison.Ordinal) ? FirstAttemptAfter(service, int.Parse(measure[FirstAttemptPrefix.Length..].TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture)) : ForService(measure, service);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var referral in referrals.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.MinBy(r => r.DeliveredAt)!))
        {
            var (service, reports) = (referral.ServiceId, referral.Reports.FirstReported);
            var target = targetOf(service);
            var byTarget = EndOf(referral.DeliveredAt, target, calendar);
            Add(Delivered, service);
            if (reports.Count > 0 && reports.Values.Min() <= EndOf(referral.DeliveredAt, 1, calendar))
            {
                Add(Acknowledged, service);
            }

            if (reports.Where(r => Attempts.Contains(OutcomeCodes.StatusOf(r.Key))).Select(r => (DateTimeOffset?)r.Value).Min() is { } attempt)
            {
                var days = calendar.WorkingDaysTo(CountsFrom(referral.DeliveredAt, calendar), London.DateOf(attempt), TallyCategories.InformedAfterOpenBucket);
                Add(FirstAttemptPrefix + (days >= TallyCategories.InformedAfterOpenBucket ? $"{days}+" : days.ToString(System.Globalization.CultureInfo.InvariantCulture)), service);
                if (attempt <= byTarget)
                {
                    Add(AttemptedWithinTarget, service);
                }
            }

            if (referral.Reports.Statuses.Any(Spoke.Contains))
            {
                Add(Contacted, service);
            }

            if (referral.Reports.Has(ServiceStatus.SupportAccepted))
            {
                Add(Accepted, service);
            }

            if (referral.Reports.Has(ServiceStatus.SupportDeclined))
            {
                Add(Declined, service);
            }

            if (referral.Reports.Has($"{ServiceStatus.CouldNotContact}:{CouldNotContactReason.WrongDetails}"))
            {
                Add(WrongDetails, service);
            }

            if (referral.Reports.Has($"{ServiceStatus.CouldNotContact}:{CouldNotContactReason.NoResponse}"))
            {
                Add(NoResponse, service);
            }

            if (referral.Reports.Has(ServiceStatus.ContactUnsafe))
            {
                Add(ContactUnsafe, service);
            }

            if (now > byTarget && !reports.Values.Any(at => at <= byTarget))
            {
                Add(NoReportByTarget, service);
            }
        }

        return counts;
    }

    /// <summary>
    /// The day after which a month's measures are final (rulebook 1.2 section 12): <see cref="ProvisionalWorkingDays"/>
    /// working days after the last target date of the month's referrals (a referral delivered on its last day, at the
    /// longest target of the directory).
    /// </summary>
    public static DateOnly ProvisionalUntil(Month month, ServiceDirectory directory, WorkingDayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var lastDay = London.At(month.LastDay, new TimeOnly(12, 0));
        var lastTarget = London.DateOf(EndOf(lastDay, directory.Services.Max(s => s.FirstAttemptTarget), calendar));
        return calendar.AddWorkingDays(lastTarget, ProvisionalWorkingDays);
    }

    /// <summary>The measures as categories, each with its definition and what it cannot see, in total and per service.</summary>
    public static IEnumerable<TallyCategory> Categories(ServiceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        foreach (var (key, name, definition, cannotSee) in Described)
        {
            yield return new TallyCategory(key, name, definition, TallyGroups.Contract, CannotSee: cannotSee);
            foreach (var service in directory.Services)
            {
                yield return new TallyCategory(ForService(key, service.Id), $"{name}: {service.Name}",
                    key == AttemptedWithinTarget || key == NoReportByTarget ? $"{definition} {service.Name}'s target: {service.FirstAttemptTarget} working day{(service.FirstAttemptTarget == 1 ? string.Empty : "s")}." : $"The same, for {service.Name}.",
                    TallyGroups.Contract, key, service.Id, cannotSee);
            }
        }
    }

    /// <summary>
    /// The relations a reader can use between the measures (per service and in total), as sums: Σ parts ≤ total.
    /// Attempted within the target and no report by it exclude each other, as do acknowledged by the next working day and
    /// no report by the target (every target is at least 1 working day); the victim accepting or declining needs contact.
    /// </summary>
    public static IEnumerable<TallySum> Bounds(IEnumerable<string> services)
    {
        foreach (var suffix in services.Select(s => "." + s).Prepend(string.Empty))
        {
            string K(string measure) => measure + suffix;
            yield return new TallySum(K(Delivered), [K(Acknowledged), K(NoReportByTarget)], AtMost: true);
            yield return new TallySum(K(Delivered), [K(AttemptedWithinTarget), K(NoReportByTarget)], AtMost: true);
            yield return new TallySum(K(Delivered), [K(Contacted)], AtMost: true);
            yield return new TallySum(K(Contacted), [K(Accepted), K(Declined)], AtMost: true);
            yield return new TallySum(K(Delivered), [K(WrongDetails), K(NoResponse)], AtMost: true);
            yield return new TallySum(K(Delivered), [K(ContactUnsafe)], AtMost: true);
        }
    }

    private const string ReportsOnly = "Only what the service reported, at the times it gave: referrals it never reported on, and contact it made but did not report, are invisible; so are referrals of a victim whose data was erased or purged before the month was final.";

    private static readonly (string Key, string Name, string Definition, string CannotSee)[] Described =
    [
        (Delivered, "Referrals delivered (month of delivery)", "Referrals that reached the service (2xx or 409 from its API, or its secure email sent), in the Europe/London month they reached it.",
            "Referrals made outside this pipeline (by phone, by an officer), and referrals that failed."),
        (Acknowledged, "Acknowledged by the next working day", "Referrals the service reported on (Received, or any later status) by the end of the working day after the delivery date; a delivery on a non-working day counts from the next working day.", ReportsOnly),
        (AttemptedWithinTarget, "First attempt within the target", "Referrals whose first attempt to reach the victim (ContactAttempted, or the first of Contacted, CouldNotContact, SupportAccepted, SupportDeclined) happened by the end of the service's target, in working days from the delivery date (set per service in the directory, default 2).", ReportsOnly),
        (Contacted, "Contacted by the service", "Referrals whose victim the service spoke with: it ever reported Contacted (or the victim's answer to its offer, SupportAccepted or SupportDeclined).", ReportsOnly),
        (Accepted, "Support accepted", "Referrals whose victim accepted the service's support (SupportAccepted, ever).", ReportsOnly + " A victim who declined and later accepted counts in both."),
        (Declined, "Support declined", "Referrals whose victim declined the service's support (SupportDeclined, ever).", ReportsOnly),
        (WrongDetails, "Could not contact: wrong details", "Referrals the service reported CouldNotContact for WrongDetails (a ServiceCouldNotContact task went to the Victim Care Unit).", ReportsOnly),
        (NoResponse, "Could not contact: no response", "Referrals the service reported CouldNotContact for NoResponse, after its attempts.", ReportsOnly),
        (ContactUnsafe, "Contact unsafe", "Referrals the service judged unsafe to contact (ContactUnsafe; a ServiceCouldNotContact task went to the Victim Care Unit).", ReportsOnly),
        (NoReportByTarget, "No report by the target", "Referrals the service reported nothing about by the end of its target (working days from the delivery date); counted once the target has passed.", "Whether the service worked on the referral without reporting; referrals whose target has not passed yet."),
    ];
}
