using System.Text;
using System.Text.Json;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Tests.Tallies;

/// <summary>Quarters, month status, rejected messages' month, categories added later, and the long and terminal formats.</summary>
public class TallyFiguresTests
{
    private static readonly IReadOnlyList<TallyCategory> Categories = TallyCategories.For(ServiceDirectory.LoadDefault());
    private static readonly Month October = new(2026, 10);

    [Theory]
    [InlineData("2026-27-Q1", "2026-04", "2026-06")]
    [InlineData("2026-27-Q3", "2026-10", "2026-12")]
    [InlineData("2026-27-Q4", "2027-01", "2027-03")]
    [InlineData("2099-00-Q3", "2099-10", "2099-12")]
    public void A_financial_quarter_is_three_months_of_the_year_from_1_April(string quarter, string from, string to)
    {
        var range = FinancialQuarter.TryParse(quarter, out _)!;
        Assert.Equal((from, to), (range.From.ToString(), range.To.ToString()));
        Assert.Equal(quarter, FinancialQuarter.Of(range.From));
        Assert.Equal(quarter, FinancialQuarter.Of(range.To));
    }

    [Theory]
    [InlineData("2026-28-Q3", "the financial year 2026 runs into 2027")]
    [InlineData("2026-27-Q5", "'quarter' must be a financial quarter")]
    [InlineData("2026-Q3", "'quarter' must be a financial quarter")]
    [InlineData("1999-00-Q3", "lies outside the contract's dates")]
    [InlineData("2099-00-Q4", "lies outside the contract's dates")]
    public void A_bad_quarter_is_refused_with_a_clear_reason(string quarter, string reason)
    {
        Assert.Null(FinancialQuarter.TryParse(quarter, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_month_is_provisional_until_counted_more_than_the_set_days_after_it_ended_then_final()
    {
        var empty = new Dictionary<string, long>();
        var early = MonthStatus.Next(null, October, empty, empty, At(2026, 11, 10), finalAfterDays: 10);
        var late = MonthStatus.Next(early, October, empty, empty, At(2026, 11, 11), finalAfterDays: 10);

        Assert.Equal("provisional", early.State);
        Assert.Equal("final", late.State);
        Assert.Equal(0, late.Revisions);
    }

    [Fact]
    public void A_change_to_a_final_month_is_applied_and_marked_as_a_revision_naming_the_figures()
    {
        var before = new Dictionary<string, long> { ["ReferralsDelivered"] = 8, ["TotalVictims"] = 12 };
        var after = new Dictionary<string, long> { ["ReferralsDelivered"] = 9, ["TotalVictims"] = 12 };
        var final = MonthStatus.Next(null, October, before, before, At(2026, 12, 1), 10);

        var revised = MonthStatus.Next(final, October, before, after, At(2026, 12, 2), 10);
        var unchanged = MonthStatus.Next(revised, October, after, after, At(2026, 12, 3), 10);

        Assert.Equal((true, 1, At(2026, 12, 2)), (revised.Final, revised.Revisions, revised.RevisedAt));
        Assert.Equal(["ReferralsDelivered"], revised.Revised!);
        Assert.Equal((1, At(2026, 12, 3)), (unchanged.Revisions, unchanged.CountedAt));
        Assert.Equal(0, MonthStatus.Next(null, new Month(2026, 12), before, after, At(2026, 12, 2), 10).Revisions);
    }

    [Fact]
    public void The_timer_recounts_each_month_after_it_can_become_final()
    {
        Assert.Equal(["2026-10", "2026-11", "2026-12"], MonthStatus.Recent(At(2026, 12, 3), 10).Select(m => m.ToString()));
        Assert.Equal(["2026-11", "2026-12"], MonthStatus.Recent(At(2026, 12, 12), 10).Select(m => m.ToString()));
        Assert.True(MonthStatus.IsPastFinal(October, At(2026, 12, 11), 10), "October was recounted on 11 December, after it could become final");
    }

    [Theory]
    [InlineData("""{"sentAt":"2026-09-30T23:30:00+00:00","schemaVersion":"x"}""", "2026-10")]
    [InlineData("""{"sentAt":"2026-10-05T08:50:00+01:00"}""", "2026-10")]
    [InlineData("""{"sentAt":"9999-10-05T08:50:00+01:00"}""", "2026-12")]
    [InlineData("""{"sentAt":"5 October"}""", "2026-12")]
    [InlineData("""{"sentAt":20261005}""", "2026-12")]
    [InlineData("""["sentAt"]""", "2026-12")]
    [InlineData("not json {", "2026-12")]
    [InlineData("", "2026-12")]
    public void A_rejected_message_counts_in_the_month_of_its_sentAt_when_readable_else_of_its_arrival(string raw, string month) =>
        Assert.Equal(month, RejectedMonth.Of(raw, At(2026, 12, 1)).ToString());

    [Fact]
    public void A_rejected_message_that_is_not_UTF_8_counts_in_the_month_it_arrived() =>
        Assert.Equal("2026-12", RejectedMonth.Of([0x7B, 0xFF, 0xFE, 0x7D], At(2026, 12, 1)).ToString());

    [Fact]
    public void Each_services_figures_are_counted_from_the_delivery_events_that_name_it()
    {
        var referral = new DeliveryState("d1", Referrals.Forwarding.DeliveryKind.Referral, "DB/26/1", "V1", "idva", "api", DeliveryStatus.Delivered, null, October, new DateOnly(2026, 10, 7), 1, At(2026, 10, 5), OnTime: false);

        var events = DeliveryTallyRule.Delivered(referral).Append(DeliveryTallyRule.Failed(referral)).ToList();

        Assert.Equal(
            ["ReferralsDelivered:", "Delivered.idva:", "ReferralsLate:idva", "ReferralsFailed:idva"],
            events.Select(e => $"{e.Category}:{e.Service}"));
        Assert.Equal("ReferralsLate.idva", TallyCategories.ForService(TallyCategories.ReferralsLate, "idva"));
        Assert.Contains(Categories, c => c.Key == "ReferralsLate.idva" && c.Figure == TallyCategories.ReferralsLate && c.Service == "idva");
    }

    [Fact]
    public void The_sums_a_reader_could_use_are_declared_for_every_per_service_family()
    {
        var sums = TallyCategories.Sums(Categories);
        var services = Categories.Where(c => c.Figure == TallyCategories.ReferralsDelivered && c.Service is not null).Select(c => c.Service!).ToList();

        Assert.NotEmpty(services);
        Assert.Contains(sums, s => s.Total == TallyCategories.ReferralsDelivered && s.Parts.SequenceEqual(services.Select(TallyCategories.DeliveredTo)));
        Assert.Contains(sums, s => s.Total == TallyCategories.ReferralsDelivered && s.Parts.SequenceEqual([TallyCategories.ReferralsOnTime, TallyCategories.ReferralsLate]));
        Assert.All(services, s => Assert.Contains(sums, sum => sum.Total == TallyCategories.DeliveredTo(s)));
        Assert.Contains(sums, s => s.Total == TallyCategories.ReferralsFailed && s.Parts.Contains("ReferralsFailed.vcu"));
    }

    [Fact]
    public void A_category_added_later_is_described_from_its_key_and_reported_in_every_format()
    {
        var added = TallyCategories.Describe("Sms.Delivered");
        var report = new TallyReport(new MonthRange(October, October), [.. Categories, added],
            new Dictionary<Month, IReadOnlyDictionary<string, long>> { [October] = new Dictionary<string, long> { ["Sms.Delivered"] = 7 } });

        Assert.Equal(("Sms", "Sms.Delivered"), (added.Group, added.Name));
        Assert.Equal("Written information", TallyCategories.Describe("Written.Letter").Group);
        Assert.Contains("2026-10,Sms.Delivered,,7,", Encoding.UTF8.GetString(report.ToLongCsv()), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(7, json.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty("Sms.Delivered").GetInt64());
        Assert.Contains(ComplianceView.Measures([.. Categories, TallyCategories.Describe("Written.Letter")]), m => m.Key == "WrittenInformation.Written.Letter");
    }

    [Fact]
    public void The_long_csv_quotes_per_RFC_4180_and_no_field_can_start_a_formula_in_Excel()
    {
        var odd = new TallyCategory("=HYPERLINK(\"x\")", "Odd, \"quoted\"", "d", TallyGroups.Other, Base: "Odd, \"figure\"", Service: "-svc");
        var report = new TallyReport(new MonthRange(October, October), [odd], new Dictionary<Month, IReadOnlyDictionary<string, long>>(), quarter: "2026-27-Q3");

        var text = Encoding.UTF8.GetString(report.ToLongCsv());

        Assert.Equal(
            "\uFEFFmonth,category,service,value,status,counted_at\r\n2026-10,\"Odd, \"\"figure\"\"\",'-svc,,not counted,\r\n2026-27-Q3,\"Odd, \"\"figure\"\"\",'-svc,,not counted,\r\n",
            text);
        Assert.StartsWith("\uFEFFMonth,\"Odd, \"\"quoted\"\"\",Status,Counted at\r\n", Encoding.UTF8.GetString(report.ToCsv()), StringComparison.Ordinal);
    }

    [Fact]
    public void The_terminal_prints_a_row_per_month_like_the_csv_with_each_months_status()
    {
        var report = new TallyReport(new MonthRange(October, new Month(2026, 11)), Categories,
            new Dictionary<Month, IReadOnlyDictionary<string, long>> { [October] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 12 } },
            new Dictionary<Month, MonthStatus> { [October] = new(At(2026, 11, 25), true) });

        var text = report.ToText();

        Assert.Contains("2026-10   final        2026-11-25 00:00", text, StringComparison.Ordinal);
        Assert.Contains("2026-11   not counted", text, StringComparison.Ordinal);
        // A month not counted is blank, never 0, and so is the total over it (rulebook 1.2 section 12).
        Assert.Matches(@"Total Victims\n2026-10 +(\S+ +){5}12\n2026-11 +\n", text);
        Assert.Matches(@"\ntotal +\n", text);
        Assert.DoesNotMatch(@"2026-11 +(\S+ +){5}0\n", text);
        Assert.Matches(@"Referrals Late by service\nMonth +general +isva +idva +stalking +road +children\n", text);
    }

    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);
}
