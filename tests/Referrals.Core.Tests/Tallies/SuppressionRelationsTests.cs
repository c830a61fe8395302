using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Tests.Tallies;

/// <summary>
/// Rulebook 1.2 section 12 and issue 28: suppression that is right as well as safe. The relations a reader could use to
/// recover a hidden value are enumerated (<see cref="ReaderRelations"/>): the funnel's inequalities, the per-service sums,
/// and a quarter's months adding up to it. For random figures, every combination of values a reader could consider is
/// tried against all of them, and each hidden small figure must keep at least two possible values. Zeros are shown unless
/// they reveal that a small group shares an attribute; a quarter with one small month is shown; a median only over N or more.
/// </summary>
public class SuppressionRelationsTests
{
    /// <summary>One service's contract measures as a reader sees them (the totals equal them when there is one service).</summary>
    private static readonly string[] Funnel = [ContractMeasures.Delivered, ContractMeasures.Acknowledged, ContractMeasures.AttemptedWithinTarget, ContractMeasures.NoReportByTarget, ContractMeasures.Contacted, ContractMeasures.Accepted, ContractMeasures.Declined];

    /// <summary>
    /// Every relation between these figures a reader knows from the definitions, written out by hand (not taken from the
    /// code under test): Σ parts ≤ total, or = for a sum.
    /// </summary>
    private static readonly (string Total, string[] Parts, bool AtMost)[] ReaderRelations =
    [
        (ContractMeasures.Delivered, [ContractMeasures.Acknowledged], true),
        (ContractMeasures.Delivered, [ContractMeasures.AttemptedWithinTarget], true),
        (ContractMeasures.Delivered, [ContractMeasures.NoReportByTarget], true),
        (ContractMeasures.Delivered, [ContractMeasures.Acknowledged, ContractMeasures.NoReportByTarget], true),
        (ContractMeasures.Delivered, [ContractMeasures.AttemptedWithinTarget, ContractMeasures.NoReportByTarget], true),
        (ContractMeasures.Delivered, [ContractMeasures.Contacted], true),
        (ContractMeasures.Contacted, [ContractMeasures.Accepted], true),
        (ContractMeasures.Contacted, [ContractMeasures.Declined], true),
        (ContractMeasures.Contacted, [ContractMeasures.Accepted, ContractMeasures.Declined], true),
        (ContractMeasures.Delivered, [ContractMeasures.Accepted, ContractMeasures.Declined], true),
    ];

    private static readonly IReadOnlyList<TallySum> Declared = [.. ContractMeasures.Bounds([]).Where(s => Funnel.Contains(s.Total) && s.Parts.All(Funnel.Contains))];

    [Fact]
    public void The_declared_inequalities_are_the_funnels_and_hold_for_counted_referrals()
    {
        Assert.Contains(Declared, s => s is { AtMost: true, Total: ContractMeasures.Contacted } && s.Parts.SequenceEqual([ContractMeasures.Accepted, ContractMeasures.Declined]));
        Assert.Contains(Declared, s => s is { AtMost: true, Total: ContractMeasures.Delivered } && s.Parts.SequenceEqual([ContractMeasures.AttemptedWithinTarget, ContractMeasures.NoReportByTarget]));
        var sums = TallyCategories.Sums(TallyCategories.For(ServiceDirectory.LoadDefault()));
        Assert.Contains(sums, s => s is { AtMost: true, Total: "Contract.Contacted.general" });
        Assert.Contains(sums, s => s is { AtMost: false, Total: ContractMeasures.Contacted } && s.Parts.Contains("Contract.Contacted.idva"));
    }

    [Fact]
    public void No_hidden_funnel_figure_can_be_recovered_by_any_relation_a_reader_could_use_tried_exhaustively()
    {
        var random = new Random(28);
        for (var trial = 0; trial < 120; trial++)
        {
            var below = random.Next(2, 4);
            var counts = RandomFunnel(random, below);
            var marks = Suppression.Month(counts, Declared, below);
            var feasible = Feasible(counts, marks, below);
            foreach (var (key, _) in marks.Where(m => m.Value == CellMark.Small))
            {
                Assert.True(feasible[key].Count >= 2, $"trial {trial} (N={below}, {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}:{marks[c.Key]}"))}): {key} can only be {string.Join("/", feasible[key])}");
            }
        }
    }

    [Fact]
    public void A_zero_is_shown_unless_it_reveals_that_everyone_in_a_small_group_shares_an_attribute()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [ContractMeasures.Delivered] = 3,
            [ContractMeasures.Contacted] = 0,
            [ContractMeasures.Accepted] = 0,
            [ContractMeasures.Declined] = 0,
            [ContractMeasures.Acknowledged] = 3,
            [ContractMeasures.AttemptedWithinTarget] = 2,
            [ContractMeasures.NoReportByTarget] = 0,
        };
        var marks = Suppression.Month(counts, Declared, 5);
        Assert.Equal(CellMark.Small, marks[ContractMeasures.Contacted]); // "none of the 3 was contacted"
        Assert.Equal(CellMark.Shown, marks[ContractMeasures.Accepted]); // none of none: an empty group reveals nothing

        var large = new Dictionary<string, long>(counts, StringComparer.Ordinal) { [ContractMeasures.Delivered] = 12, [ContractMeasures.Acknowledged] = 12, [ContractMeasures.AttemptedWithinTarget] = 12 };
        var shown = Suppression.Month(large, Declared, 5);
        Assert.Equal(CellMark.Shown, shown[ContractMeasures.Contacted]); // none of 12: shown, 0 not "<5"
        Assert.Equal(CellMark.Shown, shown[ContractMeasures.NoReportByTarget]);
    }

    [Fact]
    public void A_quarter_with_one_small_month_is_shown_and_the_small_month_cannot_be_taken_from_it()
    {
        IReadOnlyList<TallyCategory> victims = [new(TallyCategories.TotalVictims, "Total Victims", "d", TallyGroups.Derbyshire)];
        var october = new Month(2026, 10);
        var (november, december) = (october.Next, october.Next.Next);
        var counts = new Dictionary<Month, IReadOnlyDictionary<string, long>>
        {
            [october] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 18 },
            [november] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 2 },
            [december] = new Dictionary<string, long> { [TallyCategories.TotalVictims] = 9 },
        };
        var statuses = counts.Keys.ToDictionary(m => m, _ => new MonthStatus(DateTimeOffset.UnixEpoch, false));
        var quarter = new TallyReport(FinancialQuarter.TryParse("2026-27-Q3", out _)!, victims, counts, statuses, 5, "2026-27-Q3");

        Assert.Equal("29", quarter.ShowTotal(TallyCategories.TotalVictims));
        Assert.Equal("<5", quarter.Show(november, TallyCategories.TotalVictims));
        var shownMonths = new[] { october, december }.Count(m => quarter.MarkOf(m, TallyCategories.TotalVictims) == CellMark.Shown);
        Assert.Equal(1, shownMonths); // one other month hidden as [c]: quarter - shown month = hidden month + November, at least two ways

        // The same marks whatever is asked for: October alone, or the quarter on its own.
        var octoberAlone = new TallyReport(new MonthRange(october, october), victims, counts, statuses, 5);
        Assert.Equal(quarter.Show(october, TallyCategories.TotalVictims), octoberAlone.Show(october, TallyCategories.TotalVictims));
        Assert.Equal(quarter.Show(december, TallyCategories.TotalVictims), new TallyReport(new MonthRange(december, december), victims, counts, statuses, 5).Show(december, TallyCategories.TotalVictims));
    }

    [Fact]
    public void A_quarters_months_and_total_keep_every_small_month_hidden_tried_exhaustively()
    {
        var sums = new List<TallySum>();
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var below = random.Next(2, 6);
            long[] months = [.. Enumerable.Range(0, 3).Select(_ => (long)(random.Next(3) == 0 ? random.Next(0, below) : random.Next(0, 4 * below)))];
            var marks = Suppression.Quarter([.. months.Select(m => (IReadOnlyDictionary<string, long>)new Dictionary<string, long> { ["x"] = m })], sums, below);
            var limit = 5 * below;
            var seen = Enumerable.Range(0, 3).Select(_ => new HashSet<long>()).ToArray();
            for (long a = 0; a <= limit; a++)
            {
                for (long b = 0; b <= limit; b++)
                {
                    for (long c = 0; c <= limit; c++)
                    {
                        long[] candidate = [a, b, c];
                        var fits = Enumerable.Range(0, 3).All(i => Fits(marks[$"{i}|x"], candidate[i], months[i], below)) && Fits(marks["q|x"], a + b + c, months.Sum(), below);
                        for (var i = 0; fits && i < 3; i++)
                        {
                            seen[i].Add(candidate[i]);
                        }
                    }
                }
            }

            for (var i = 0; i < 3; i++)
            {
                Assert.True(marks[$"{i}|x"] != CellMark.Small || seen[i].Count >= 2, $"trial {trial} (N={below}, months {string.Join("/", months)}, marks {string.Join(" ", marks.Select(m => $"{m.Key}:{m.Value}"))}): month {i} can only be {string.Join("/", seen[i])}");
            }

            if (months.Sum() >= below && months.All(m => m == 0 || m >= below))
            {
                Assert.Equal(CellMark.Shown, marks["q|x"]);
            }
        }

        static bool Fits(CellMark mark, long value, long truth, int below) => mark switch
        {
            CellMark.Shown => value == truth,
            CellMark.Small => value < below,
            _ => value >= below,
        };
    }

    [Fact]
    public void A_median_is_shown_only_over_at_least_N_referrals_and_a_month_not_counted_is_blank()
    {
        var categories = TallyCategories.For(ServiceDirectory.LoadDefault());
        var october = new Month(2026, 10);
        var few = new Dictionary<string, long> { [ContractMeasures.FirstAttemptAfter(null)[1]] = 3, [ContractMeasures.FirstAttemptAfter("general", 1)] = 3 };
        var many = new Dictionary<string, long> { [ContractMeasures.FirstAttemptAfter(null)[1]] = 6, [ContractMeasures.FirstAttemptAfter("general", 1)] = 6 };
        TallyReport Report(Dictionary<string, long> counts, int below) => new(new MonthRange(october, october.Next), categories,
            new Dictionary<Month, IReadOnlyDictionary<string, long>> { [october] = counts }, new Dictionary<Month, MonthStatus> { [october] = new(DateTimeOffset.UnixEpoch, false) }, below);

        Assert.Equal("[c]", Report(few, 5).ShowFirstAttemptMedian("general", october));
        Assert.Equal("1", Report(few, 0).ShowFirstAttemptMedian("general", october));
        Assert.Equal("1", Report(many, 5).ShowFirstAttemptMedian("general", october));
        Assert.Equal("–", Report(many, 5).ShowFirstAttemptMedian("idva", october));
        Assert.Equal(string.Empty, Report(many, 5).ShowFirstAttemptMedian("general", october.Next)); // November was not counted
        Assert.Equal(string.Empty, Report(many, 5).Show(october.Next, ContractMeasures.Delivered));
        Assert.Equal("0", Report(many, 5).Show(october, ContractMeasures.Delivered));
        using var json = System.Text.Json.JsonDocument.Parse(Report(many, 5).ToJson());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("months")[1].GetProperty("counts").GetProperty(TallyCategories.TotalVictims).ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty(TallyCategories.TotalVictims).GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("total").GetProperty(TallyCategories.TotalVictims).ValueKind);
    }

    /// <summary>A funnel as referrals give it: each referral's attributes drawn, then counted, so every relation holds.</summary>
    private static Dictionary<string, long> RandomFunnel(Random random, int below)
    {
        var counts = Funnel.ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);
        var referrals = random.Next(3) == 0 ? random.Next(0, 3 * below) : random.Next(0, below + 2);
        for (var i = 0; i < referrals; i++)
        {
            counts[ContractMeasures.Delivered]++;
            var report = random.Next(4);
            if (report == 0)
            {
                counts[ContractMeasures.NoReportByTarget]++;
                continue;
            }

            if (random.Next(2) == 0)
            {
                counts[ContractMeasures.Acknowledged]++;
            }

            if (random.Next(2) == 0)
            {
                counts[ContractMeasures.AttemptedWithinTarget]++;
            }

            if (random.Next(2) == 0)
            {
                counts[ContractMeasures.Contacted]++;
                var answer = random.Next(3);
                if (answer < 2)
                {
                    counts[answer == 0 ? ContractMeasures.Accepted : ContractMeasures.Declined]++;
                }
            }
        }

        return counts;
    }

    /// <summary>Every value each figure can take given what a reader sees and <see cref="ReaderRelations"/>: a search over the hidden figures.</summary>
    private static Dictionary<string, HashSet<long>> Feasible(Dictionary<string, long> counts, IReadOnlyDictionary<string, CellMark> marks, int below)
    {
        var feasible = Funnel.ToDictionary(k => k, _ => new HashSet<long>(), StringComparer.Ordinal);
        var anySmall = marks.Values.Contains(CellMark.Small);
        var hidden = Funnel.Where(k => marks[k] != CellMark.Shown).ToArray();
        var limit = 3 * below + 2;
        var values = Funnel.Where(k => marks[k] == CellMark.Shown).ToDictionary(k => k, k => counts[k], StringComparer.Ordinal);
        Search(0);
        return feasible;

        void Search(int index)
        {
            if (!Consistent())
            {
                return;
            }

            if (index == hidden.Length)
            {
                foreach (var (figure, value) in values)
                {
                    feasible[figure].Add(value);
                }

                return;
            }

            var key = hidden[index];
            for (long v = 0; v <= limit; v++)
            {
                if (marks[key] == CellMark.Small ? v >= below : (anySmall && v < below))
                {
                    continue;
                }

                values[key] = v;
                Search(index + 1);
                values.Remove(key);
            }
        }

        // Every relation whose figures are all assigned holds.
        bool Consistent() => ReaderRelations.All(r => !values.ContainsKey(r.Total) || r.Parts.Any(p => !values.ContainsKey(p))
            || (r.AtMost ? r.Parts.Sum(p => values[p]) <= values[r.Total] : r.Parts.Sum(p => values[p]) == values[r.Total]));
    }
}
