using System.Collections.Immutable;
using Referrals.Calendar;
using Referrals.Outcomes;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Tests.Tallies;

/// <summary>
/// Rulebook 1.2 sections 11 and 12: the contract measures per service and month of delivery, recounted from the referrals'
/// reports: exact whatever order the reports arrived in and however often a referral is read; each with its target; and
/// provisional until 10 working days after the month's last target date.
/// </summary>
public class ContractMeasuresTests
{
    private static readonly WorkingDayCalendar Calendar = new();

    // Monday 5 October 2026, 10:00 Europe/London.
    private static readonly DateTimeOffset Monday = London.At(new DateOnly(2026, 10, 5), new TimeOnly(10, 0));

    private static readonly DateTimeOffset Later = Monday.AddDays(30);

    private static ServiceReports Reports(params (string Code, DateTimeOffset At)[] reports) =>
        new(reports.Aggregate(ImmutableSortedDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal),
            (map, r) => map.ContainsKey(r.Code) ? map : map.Add(r.Code, r.At))); // a repeat keeps the first, as ServiceReportRule does

    private static Dictionary<string, long> Count(DateTimeOffset now, params DeliveredReferral[] referrals) =>
        ContractMeasures.Count(referrals, s => s == "quick" ? 1 : 2, now, Calendar);

    [Fact]
    public void The_measures_are_the_same_whatever_order_the_reports_arrive_in_and_a_redelivered_referral_counts_once()
    {
        (string, DateTimeOffset)[] reports =
        [
            ("Received", Monday.AddHours(1)),
            ("ContactAttempted", Monday.AddHours(26)),
            ("Contacted", Monday.AddHours(50)),
            ("SupportAccepted", Monday.AddHours(51)),
            ("ContactAttempted", Monday.AddHours(80)), // a repeat, reported later: changes nothing
        ];
        var expected = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [ContractMeasures.Delivered] = 1,
            [ContractMeasures.Acknowledged] = 1,
            [ContractMeasures.AttemptedWithinTarget] = 1,
            [ContractMeasures.Contacted] = 1,
            [ContractMeasures.Accepted] = 1,
            [ContractMeasures.FirstAttemptPrefix + "1"] = 1,
        };
        foreach (var order in Permutations(reports.Take(4).ToArray()).Select(o => o.Append(reports[4]).ToArray()))
        {
            var referral = new DeliveredReferral("referral:C/1:V1:general", "general", Monday, Reports(order));
            var counts = Count(Later, referral, referral with { DeliveredAt = Monday.AddMinutes(5) });
            Assert.Equal(expected, counts.Where(c => !c.Key.Contains(".general", StringComparison.Ordinal)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));
            Assert.All(expected, e => Assert.Equal(e.Value, counts[e.Key.StartsWith(ContractMeasures.FirstAttemptPrefix, StringComparison.Ordinal) ? ContractMeasures.FirstAttemptAfter("general", 1) : ContractMeasures.ForService(e.Key, "general")]));
        }
    }

    [Fact]
    public void Acknowledged_means_a_report_by_the_end_of_the_next_working_day_a_weekend_delivery_counting_from_monday()
    {
        var saturday = London.At(new DateOnly(2026, 10, 10), new TimeOnly(9, 0));
        var tuesdayNight = London.At(new DateOnly(2026, 10, 13), new TimeOnly(23, 0));
        var wednesday = London.At(new DateOnly(2026, 10, 14), new TimeOnly(8, 0));

        Assert.Equal(1, Count(Later, new DeliveredReferral("a", "general", saturday, Reports(("Received", tuesdayNight)))).GetValueOrDefault(ContractMeasures.Acknowledged));
        Assert.Equal(0, Count(Later, new DeliveredReferral("a", "general", saturday, Reports(("Received", wednesday)))).GetValueOrDefault(ContractMeasures.Acknowledged));
        Assert.Equal(1, Count(Later, new DeliveredReferral("a", "general", saturday, Reports(("Received", wednesday)))).GetValueOrDefault(ContractMeasures.Delivered));
    }

    [Fact]
    public void The_first_attempt_is_measured_against_each_services_own_target_and_no_report_counts_only_once_the_target_passed()
    {
        var attempt = Reports(("ContactAttempted", Monday.AddDays(2))); // Wednesday: 2 working days after Monday
        Assert.Equal(1, Count(Later, new DeliveredReferral("a", "general", Monday, attempt)).GetValueOrDefault(ContractMeasures.AttemptedWithinTarget));
        Assert.Equal(0, Count(Later, new DeliveredReferral("a", "quick", Monday, attempt)).GetValueOrDefault(ContractMeasures.AttemptedWithinTarget));
        Assert.Equal(1, Count(Later, new DeliveredReferral("a", "quick", Monday, attempt)).GetValueOrDefault(ContractMeasures.NoReportByTarget));

        var silent = new DeliveredReferral("b", "general", Monday, ServiceReports.None);
        Assert.Equal(0, Count(Monday.AddDays(2), silent).GetValueOrDefault(ContractMeasures.NoReportByTarget)); // Wednesday: the target has not passed
        Assert.Equal(1, Count(Monday.AddDays(3), silent).GetValueOrDefault(ContractMeasures.NoReportByTarget));

        // The median of the working days to the first attempt comes from buckets, per service and in all.
        Assert.Equal(1, Count(Later, new DeliveredReferral("a", "quick", Monday, attempt))[ContractMeasures.FirstAttemptAfter("quick", 2)]);
    }

    [Fact]
    public void A_victim_spoken_with_counts_as_contacted_even_when_the_service_reported_only_the_answer_and_could_not_contact_keeps_its_reason()
    {
        var counts = Count(Later,
            new DeliveredReferral("a", "general", Monday, Reports(("SupportDeclined", Monday.AddDays(1)))),
            new DeliveredReferral("b", "general", Monday, Reports(("CouldNotContact:WrongDetails", Monday.AddDays(1)), ("Contacted", Monday.AddDays(4)))),
            new DeliveredReferral("c", "general", Monday, Reports(("ContactUnsafe", Monday.AddDays(1)))));

        Assert.Equal(2, counts[ContractMeasures.Contacted]);
        Assert.Equal(1, counts[ContractMeasures.Declined]);
        Assert.Equal(1, counts[ContractMeasures.WrongDetails]);
        Assert.Equal(1, counts[ContractMeasures.ContactUnsafe]);
        Assert.False(counts.ContainsKey(ContractMeasures.NoResponse));
    }

    [Fact]
    public void A_month_stays_provisional_until_10_working_days_after_its_last_target_date()
    {
        var directory = ServiceDirectory.LoadDefault();
        var october = new Month(2026, 10);

        // Saturday 31 October counts from Monday 2 November; + 2 working days: Wednesday 4th; + 10: Wednesday 18 November.
        Assert.Equal(new DateOnly(2026, 11, 18), ContractMeasures.ProvisionalUntil(october, directory, Calendar));
        var until = ContractMeasures.ProvisionalUntil(october, directory, Calendar);
        var empty = new Dictionary<string, long>();
        Assert.False(MonthStatus.Next(null, october, empty, empty, London.At(until, new TimeOnly(18, 0)), 10, until).Final);
        Assert.True(MonthStatus.Next(null, october, empty, empty, London.At(until.AddDays(1), new TimeOnly(1, 0)), 10, until).Final);
    }

    [Fact]
    public void Each_measure_and_each_services_figure_has_a_definition_and_says_what_it_cannot_see()
    {
        var categories = TallyCategories.For(ServiceDirectory.LoadDefault()).Where(c => c.Group == TallyGroups.Contract).ToList();

        Assert.Equal(ContractMeasures.All.Count * (1 + ServiceDirectory.LoadDefault().Services.Count), categories.Count);
        Assert.All(categories, c => Assert.False(string.IsNullOrWhiteSpace(c.Definition) || string.IsNullOrWhiteSpace(c.CannotSee), c.Key));
    }

    [Fact]
    public void A_services_target_is_read_from_the_directory_default_2_and_a_bad_one_is_refused_naming_the_service()
    {
        Assert.All(ServiceDirectory.LoadDefault().Services, s => Assert.Equal(2, s.FirstAttemptTarget));
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName)).Replace("\"autoReferOnOptOut\": true,", "\"autoReferOnOptOut\": true, \"firstAttemptWithinWorkingDays\": 0,", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidDataException>(() => ServiceDirectory.Parse(json, "test"));
        Assert.Contains("(general): firstAttemptWithinWorkingDays", error.Message, StringComparison.Ordinal);
        var five = json.Replace("\"firstAttemptWithinWorkingDays\": 0", "\"firstAttemptWithinWorkingDays\": 5", StringComparison.Ordinal);
        Assert.Equal(5, ServiceDirectory.Parse(five, "test")["general"].FirstAttemptTarget);
    }

    [Fact]
    public void The_terminal_prints_the_measures_in_all_and_by_service_with_the_median_beside_them()
    {
        var october = new Month(2026, 10);
        var counts = Count(Later,
            new DeliveredReferral("a", "general", Monday, Reports(("Received", Monday.AddHours(1)), ("Contacted", Monday.AddHours(20)))),
            new DeliveredReferral("b", "idva", Monday, ServiceReports.None));
        var report = new TallyReport(new MonthRange(october, october), TallyCategories.For(ServiceDirectory.LoadDefault()),
            new Dictionary<Month, IReadOnlyDictionary<string, long>> { [october] = counts }, new Dictionary<Month, MonthStatus> { [october] = new(Later, false) }, force: "Example Constabulary");

        var text = report.ToText();

        Assert.StartsWith("Example Constabulary\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\nServices' contract measures\nMonth +Referrals delivered \(month of delivery\) +Acknowledged by the next working day .*\n2026-10 +2 +1 ", text);
        Assert.Matches(@"\nContacted by the service by service\nMonth +general +isva +idva +stalking +road +children\n2026-10 +1 +0 +0 +0 +0 +0\n", text);
        var median = text[text.IndexOf("Median working days from delivery", StringComparison.Ordinal)..];
        Assert.True(median.StartsWith("Median working days from delivery to the first attempt", StringComparison.Ordinal) && median.Contains("\n2026-10          1          1          –", StringComparison.Ordinal), median);
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items.Take(i), .. items.Skip(i + 1)]).Select(rest => (T[])[item, .. rest]));
}
