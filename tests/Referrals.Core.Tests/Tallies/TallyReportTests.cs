using System.Text;
using System.Text.Json;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Tests.Tallies;

/// <summary>The OPCC's month ranges and the tally formats, without storage.</summary>
public class TallyReportTests
{
    private static readonly IReadOnlyList<TallyCategory> Categories = TallyCategories.For(ServiceDirectory.LoadDefault());

    [Theory]
    [InlineData("2026-04", "2027-03", 12)]
    [InlineData("2026-11", "2026-11", 1)]
    [InlineData("2024-01", "2026-12", 36)]
    public void A_valid_range_lists_its_months(string from, string to, int months) =>
        Assert.Equal(months, MonthRange.TryParse(from, to, out _)!.Months().Count());

    [Theory]
    [InlineData(null, "2027-03", "Both 'from' and 'to' are required")]
    [InlineData("2026-04", "", "Both 'from' and 'to' are required")]
    [InlineData("April", "2027-03", "'from' must be a month written yyyy-MM")]
    [InlineData("2026-4", "2027-03", "'from' must be a month written yyyy-MM")]
    [InlineData("2026-04", "2027-13", "'to' must be a month written yyyy-MM")]
    [InlineData("2099-12", "2100-02", "'to' must be a month written yyyy-MM")]
    [InlineData("1999-12", "2000-02", "'from' must be a month written yyyy-MM")]
    [InlineData("2027-03", "2026-04", "'from' (2027-03) is after 'to' (2026-04)")]
    [InlineData("2024-01", "2027-01", "At most 36 months can be asked for at once; 2024-01 to 2027-01 is 37")]
    public void A_bad_range_is_refused_with_a_clear_reason(string? from, string? to, string reason)
    {
        Assert.Null(MonthRange.TryParse(from, to, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Months_are_Europe_London_months_so_the_last_hour_of_a_summer_month_counts_in_the_next()
    {
        Assert.Equal(new Month(2026, 10), Month.Of(new DateTimeOffset(2026, 9, 30, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new Month(2026, 10), Month.Of(new DateTimeOffset(2026, 10, 31, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new Month(2026, 7), Month.Of(new DateTimeOffset(2026, 6, 30, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_categories_start_with_Derbyshires_six_rows_under_their_names() =>
        Assert.Equal(
            ["Declined Support", "Converted to Yes and referred", "Accepted Support and Referred", "General Opt Out Auto Referrals", "DA/Sexual Offences", "Total Victims"],
            Categories.Take(6).Select(c => c.Name));

    [Fact]
    public void Csv_opens_cleanly_in_Excel_one_row_per_month_one_column_per_category_and_a_total()
    {
        var report = Report();
        var bytes = report.ToCsv();
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var medians = rows[0].Split(',').Where(h => h.StartsWith("Median working days to first attempt: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Month", .. Categories.Select(c => c.Name), .. medians, "Status", "Counted at"], rows[0].Split(','));
        Assert.Equal(1 + ServiceDirectory.LoadDefault().Services.Count, medians.Count);
        Assert.Equal(["2026-04", "2026-05", "2026-06", "total"], rows.Skip(1).Select(r => r.Split(',')[0]));
        var total = Categories.Select(c => c.Key).ToList().IndexOf(TallyCategories.TotalVictims) + 1;
        Assert.Equal(["3", "0", "4", "7"], rows.Skip(1).Select(r => r.Split(',')[total]));
        Assert.All(rows, r => Assert.Equal(Categories.Count + medians.Count + 3, r.Split(',').Length));
    }

    [Fact]
    public void Json_has_each_month_and_the_total_by_category_key()
    {
        using var json = JsonDocument.Parse(Report().ToJson());
        var root = json.RootElement;

        Assert.Equal(("2026-04", "2026-06"), (root.GetProperty("from").GetString(), root.GetProperty("to").GetString()));
        Assert.Equal(3, root.GetProperty("months").GetArrayLength());
        Assert.Equal(3, root.GetProperty("months")[0].GetProperty("counts").GetProperty(TallyCategories.TotalVictims).GetInt64());
        Assert.Equal(7, root.GetProperty("total").GetProperty(TallyCategories.TotalVictims).GetInt64());
        Assert.Equal(1, root.GetProperty("total").GetProperty(TallyCategories.DeclinedSupport).GetInt64());
        Assert.Equal(Categories.Count, root.GetProperty("categories").GetArrayLength());
    }

    private static TallyReport Report() => new(
        MonthRange.TryParse("2026-04", "2026-06", out _)!,
        Categories,
        new Dictionary<Month, IReadOnlyDictionary<string, long>>
        {
            [new Month(2026, 4)] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 3, [TallyCategories.DeclinedSupport] = 1 },
            [new Month(2026, 5)] = new Dictionary<string, long>(),
            [new Month(2026, 6)] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 4 },
        });

    [Fact]
    public void A_range_never_reaches_outside_the_contracts_dates()
    {
        var range = new MonthRange(Month.Of(new DateTimeOffset(2026, 10, 5, 9, 0, 0, TimeSpan.Zero)), Month.Of(DateTimeOffset.MaxValue));

        Assert.Equal(new Month(2100, 1), range.To);
        Assert.Equal(new Month(2100, 1), range.Months().Last());
        Assert.Equal(new Month(2000, 1), new MonthRange(new Month(1, 1), new Month(2026, 1)).From);
    }

    [Fact]
    public void A_report_over_a_range_with_a_year_9999_month_stays_small()
    {
        var report = new TallyReport(new MonthRange(new Month(2026, 10), new Month(9999, 12)), Categories, new Dictionary<Month, IReadOnlyDictionary<string, long>>());

        Assert.True(report.ToCsv().Length < 2_000_000, "a report spans at most the contract's 1,200 months");
    }
}
