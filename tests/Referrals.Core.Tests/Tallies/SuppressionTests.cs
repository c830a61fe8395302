using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Tests.Tallies;

/// <summary>
/// Small-count suppression, checked the way an analyst would attack it: every combination of values consistent with
/// what is shown (the shown figures, the marks, and every sum) is tried, and each hidden small figure must still have
/// at least two possible values.
/// </summary>
public class SuppressionTests
{
    private static readonly Month October = new(2026, 10);
    private static readonly Month November = new(2026, 11);

    /// <summary>The referral figures of two services: on time and late per service are free, every other is a sum of them, as in the real categories.</summary>
    private static readonly IReadOnlyList<TallyCategory> Referrals = [.. TallyCategories.For(ServiceDirectory.LoadDefault())
        .Where(c => c.Figure is TallyCategories.ReferralsDelivered or TallyCategories.ReferralsOnTime or TallyCategories.ReferralsLate && c.Service is null or "general" or "idva")];

    private static readonly IReadOnlyList<TallySum> Sums = TallyCategories.Sums(Referrals);

    private static readonly string[] Free = ["ReferralsOnTime.general", "ReferralsOnTime.idva", "ReferralsLate.general", "ReferralsLate.idva"];

    [Fact]
    public void The_referral_figures_under_test_are_the_real_ones_and_sums_of_the_four_free_figures()
    {
        Assert.Equal(9, Referrals.Count);
        Assert.Equal(6, Sums.Count);
        Assert.Equal(Referrals.Select(c => c.Key).Order(StringComparer.Ordinal), Values([1, 2, 3, 4]).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_small_figure_is_shown_as_less_than_N_and_one_that_would_give_it_away_as_c()
    {
        // idva's one late referral: hidden; so is another late figure, or its total would give it away.
        var counts = Values([20, 9, 7, 1]);
        var marks = Suppression.Month(counts, Sums, 5);

        Assert.Equal(CellMark.Small, marks["ReferralsLate.idva"]);
        Assert.Null(Suppression.Revealed(counts, Sums, marks, 5));
        Assert.Contains(marks, m => m.Value == CellMark.Secondary);
        Assert.Equal("<5", Suppression.Display(CellMark.Small, 5));
        Assert.Equal("[c]", Suppression.Display(CellMark.Secondary, 5));
    }

    [Fact]
    public void Without_secondary_suppression_the_same_figures_would_give_a_small_one_away()
    {
        var counts = Values([12, 9, 7, 1]);
        var primaryOnly = counts.ToDictionary(c => c.Key, c => c.Value < 5 ? CellMark.Small : CellMark.Shown);

        Assert.Equal("ReferralsLate.idva", Suppression.Revealed(counts, Sums, primaryOnly, 5));
        Assert.Single(Feasible(counts, primaryOnly, 5)["ReferralsLate.idva"]);
    }

    [Fact]
    public void No_hidden_small_figure_can_be_worked_out_from_the_shown_figures_and_sums_tried_exhaustively()
    {
        var random = new Random(13);
        for (var trial = 0; trial < 150; trial++)
        {
            var below = random.Next(2, 6);
            var counts = Values([.. Free.Select(_ => (long)(random.Next(4) == 0 ? random.Next(0, 3 * below) : random.Next(0, below + 1)))]);
            var marks = Suppression.Month(counts, Sums, below);

            var feasible = Feasible(counts, marks, below);
            foreach (var (key, mark) in marks.Where(m => m.Value == CellMark.Small))
            {
                Assert.True(feasible[key].Count >= 2, $"trial {trial} (N={below}, {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}:{marks[c.Key]}"))}): {key} can only be {string.Join("/", feasible[key])}");
            }
        }
    }

    [Fact]
    public void A_total_over_months_is_hidden_when_any_month_is_and_a_rate_when_any_figure_in_it_is()
    {
        var report = new TallyReport(new MonthRange(October, November), Referrals, new Dictionary<Month, IReadOnlyDictionary<string, long>>
        {
            [October] = Values([20, 9, 7, 1]),
            [November] = Values([30, 12, 8, 6]),
        }, suppressBelow: 5);
        var idva = TallyRates.For(Referrals).Single(r => r.Key == "OnTimeRate.idva");

        Assert.Equal("<5", report.Show(October, "ReferralsLate.idva"));
        Assert.Equal("6", report.Show(November, "ReferralsLate.idva"));
        Assert.Equal("[c]", report.ShowTotal("ReferralsLate.idva"));
        Assert.True(report.RateOf(idva, October).Hidden);
        Assert.False(report.RateOf(idva, November).Hidden);
        Assert.True(report.RateOf(idva, null).Hidden);
        Assert.Equal(report.Show(November, "ReferralsLate.general"), new TallyReport(new MonthRange(November, November), Referrals, report.Counts, suppressBelow: 5).Show(November, "ReferralsLate.general"));
    }

    [Fact]
    public void A_small_working_days_bucket_cannot_be_worked_out_by_taking_one_within_figure_from_the_other_or_from_the_routes()
    {
        var categories = TallyCategories.For(ServiceDirectory.LoadDefault());
        var sums = TallyCategories.Sums(categories);
        string[] buckets = [.. TallyCategories.InformedAfter];
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [buckets[0]] = 10,
            [buckets[1]] = 10,
            [buckets[2]] = 2,
            [buckets[3]] = 6,
            [buckets[4]] = 6,
            [buckets[5]] = 7,
            [buckets[6]] = 9,
            [TallyCategories.InformedWithinOneWorkingDay] = 20,
            [TallyCategories.InformedWithinTwoWorkingDays] = 22,
            [TallyCategories.InformedInWriting] = 50,
            [TallyCategories.InformedBy(global::Referrals.Contact.Channel.Email)] = 40,
            [TallyCategories.InformedBy(global::Referrals.Contact.Channel.Sms)] = 6,
            [TallyCategories.InformedBy(global::Referrals.Contact.Channel.Letter)] = 4,
        };

        var marks = Suppression.Month(counts, sums, 5);

        Assert.Equal(CellMark.Small, marks[buckets[2]]);
        Assert.False(marks[TallyCategories.InformedWithinOneWorkingDay] == CellMark.Shown && marks[TallyCategories.InformedWithinTwoWorkingDays] == CellMark.Shown, "within 2 - within 1 = .2");
        var restShown = buckets.Skip(3).All(b => marks[b] == CellMark.Shown);
        Assert.False(restShown && marks[TallyCategories.InformedWithinTwoWorkingDays] != CellMark.Shown && marks[TallyCategories.InformedInWriting] == CellMark.Shown
            && marks[TallyCategories.InformedWithinOneWorkingDay] == CellMark.Shown, "informed - .3..6+ - within 1 = .2");
        Assert.Equal(CellMark.Small, marks[TallyCategories.InformedBy(global::Referrals.Contact.Channel.Letter)]);
        Assert.Null(Suppression.Revealed(counts, sums, marks, 5));
    }

    [Fact]
    public void Nothing_is_hidden_when_no_threshold_is_set()
    {
        var counts = Values([0, 1, 2, 3]);
        Assert.All(Suppression.Month(counts, Sums, 0).Values, m => Assert.Equal(CellMark.Shown, m));
    }

    /// <summary>Every figure from the four free ones, as the pipeline counts them.</summary>
    private static Dictionary<string, long> Values(long[] free)
    {
        var values = Free.Zip(free).ToDictionary(f => f.First, f => f.Second, StringComparer.Ordinal);
        values["Delivered.general"] = values["ReferralsOnTime.general"] + values["ReferralsLate.general"];
        values["Delivered.idva"] = values["ReferralsOnTime.idva"] + values["ReferralsLate.idva"];
        values[TallyCategories.ReferralsOnTime] = values["ReferralsOnTime.general"] + values["ReferralsOnTime.idva"];
        values[TallyCategories.ReferralsLate] = values["ReferralsLate.general"] + values["ReferralsLate.idva"];
        values[TallyCategories.ReferralsDelivered] = values[TallyCategories.ReferralsOnTime] + values[TallyCategories.ReferralsLate];
        return values;
    }

    /// <summary>
    /// Every value each figure can take, given what a reader sees: shown figures exactly, a small one below N, one hidden
    /// to protect another N or more (any value when none of these related figures is marked small). The free figures are tried from 0 to well above any real one, which can only
    /// leave a reader fewer possibilities than the unbounded truth.
    /// </summary>
    private static Dictionary<string, HashSet<long>> Feasible(Dictionary<string, long> counts, IReadOnlyDictionary<string, CellMark> marks, int below)
    {
        var feasible = counts.Keys.ToDictionary(k => k, _ => new HashSet<long>(), StringComparer.Ordinal);
        var limit = 3 * below;
        var anySmall = marks.Values.Contains(CellMark.Small);
        for (long a = 0; a <= limit; a++)
        {
            for (long b = 0; b <= limit; b++)
            {
                for (long c = 0; c <= limit; c++)
                {
                    for (long d = 0; d <= limit; d++)
                    {
                        var candidate = Values([a, b, c, d]);
                        if (candidate.All(v => marks[v.Key] switch
                        {
                            CellMark.Shown => v.Value == counts[v.Key],
                            CellMark.Small => v.Value < below,
                            _ => v.Value >= below || !anySmall,
                        }))
                        {
                            foreach (var (key, value) in candidate)
                            {
                                feasible[key].Add(value);
                            }
                        }
                    }
                }
            }
        }

        return feasible;
    }
}
