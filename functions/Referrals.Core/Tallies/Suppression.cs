namespace Referrals.Tallies;

/// <summary>How a figure is shown: as it is, hidden because it is small (<c>&lt;N</c>), or hidden so a small one cannot be worked out (<c>[c]</c>).</summary>
public enum CellMark
{
    Shown,
    Small,
    Secondary,
}

/// <summary>
/// Small-count suppression for the figures the OPCC publishes. A month's figure below N (zero included) is shown as
/// <c>&lt;N</c>. Figures are related: a family adds up to its total (<see cref="TallySum"/>), a range's total adds up its
/// months, and a rate is a ratio of figures; so more is hidden (<c>[c]</c>) until no hidden small figure can be worked
/// out. What a month shows depends on that month's counts alone, never on the range asked for, so comparing two
/// answers gives nothing away either. A total is hidden whenever any of its months is, and a rate whenever any figure
/// it is made of is. Tested by trying every combination of values a reader could consider (SuppressionTests).
/// </summary>
public static class Suppression
{
    private const long Unbounded = long.MaxValue / 4;

    /// <summary>The marks of one month's figures: every key of <paramref name="counts"/> and of the sums gets one.</summary>
    public static IReadOnlyDictionary<string, CellMark> Month(IReadOnlyDictionary<string, long> counts, IReadOnlyList<TallySum> sums, int below)
    {
        var keys = counts.Keys.Concat(sums.SelectMany(s => s.Parts.Append(s.Total))).ToHashSet(StringComparer.Ordinal);
        var marks = keys.ToDictionary(k => k, k => IsSmall(k, counts, sums, below) ? CellMark.Small : CellMark.Shown, StringComparer.Ordinal);
        if (below <= 0)
        {
            return marks;
        }

        // Hide one more figure at a time until no small one can be worked out: the visible figure nearest the one given
        // away (in a sum with it, else in a sum with a hidden figure of such a sum, and so on), parts before totals,
        // smallest first; never a shown zero ([c] says "N or more" when it hides a figure to protect a small one).
        // When every figure related to it is hidden already, only the marks themselves can give a small figure away
        // ([c] says "N or more"): then the whole related set is marked [c], which says nothing about any of them.
        while (Revealed(counts, sums, marks, below) is { } revealed)
        {
            if (Nearest(revealed, counts, sums, marks) is { } next)
            {
                marks[next] = CellMark.Secondary;
            }
            else
            {
                foreach (var key in Related(revealed, sums))
                {
                    marks[key] = CellMark.Secondary;
                }
            }
        }

        return marks;
    }

    /// <summary>
    /// Primary suppression: a figure from 1 to N-1 is small; so is a zero that would reveal that every member of a group
    /// smaller than N shares an attribute (a part, or a term of an inequality, of a figure from 1 to N-1: "0 of the 3
    /// referrals to this service were on time"). Any other zero is shown: an empty group, or none of a group of N or more.
    /// </summary>
    public static bool IsSmall(string key, IReadOnlyDictionary<string, long> counts, IReadOnlyList<TallySum> sums, int below)
    {
        var count = counts.GetValueOrDefault(key);
        if (below <= 0 || count >= below)
        {
            return false;
        }

        return count > 0 || sums.Any(s => !s.Time && s.Parts.Contains(key) && counts.GetValueOrDefault(s.Total) is var total && total > 0 && total < below);
    }

    /// <summary>The figures linked to <paramref name="key"/> through sums, itself included.</summary>
    public static HashSet<string> Related(string key, IReadOnlyList<TallySum> sums)
    {
        var related = new HashSet<string>(StringComparer.Ordinal) { key };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var sum in sums.Where(s => related.Contains(s.Total) || s.Parts.Any(related.Contains)))
            {
                foreach (var member in sum.Parts.Append(sum.Total))
                {
                    grew |= related.Add(member);
                }
            }
        }

        return related;
    }

    private static string? Nearest(string revealed, IReadOnlyDictionary<string, long> counts, IReadOnlyList<TallySum> sums, Dictionary<string, CellMark> marks)
    {
        var frontier = new HashSet<string>(StringComparer.Ordinal) { revealed };
        var seen = new HashSet<TallySum>();
        while (frontier.Count > 0)
        {
            var near = sums.Where(s => !seen.Contains(s) && (frontier.Contains(s.Total) || s.Parts.Any(frontier.Contains))).ToList();
            seen.UnionWith(near);
            var candidate = near.SelectMany(s => s.Parts.Select(p => (Key: p, Part: true)).Append((Key: s.Total, Part: false)))
                .Where(c => marks[c.Key] == CellMark.Shown && counts.GetValueOrDefault(c.Key) != 0)
                .OrderByDescending(c => c.Part).ThenBy(c => counts.GetValueOrDefault(c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => c.Key).FirstOrDefault();
            if (candidate is not null)
            {
                return candidate;
            }

            frontier = [.. near.SelectMany(s => s.Parts.Append(s.Total)).Where(k => marks[k] != CellMark.Shown)];
        }

        return null;
    }

    /// <summary>A hidden small figure the shown figures and the sums pin down to one value, or null when none is.</summary>
    public static string? Revealed(IReadOnlyDictionary<string, long> counts, IReadOnlyList<TallySum> sums, IReadOnlyDictionary<string, CellMark> marks, int below)
    {
        var bounds = Bounds(counts, sums, marks, below);
        return marks.Where(m => m.Value == CellMark.Small && bounds[m.Key].Low >= bounds[m.Key].High)
            .Select(m => m.Key).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>
    /// What a reader can know of each figure: a shown one exactly, a small one is 0 to N-1, one hidden to protect
    /// another is N or more (any value, when no related figure is marked small); then each sum narrows its members,
    /// until nothing changes.
    /// </summary>
    public static Dictionary<string, (long Low, long High)> Bounds(IReadOnlyDictionary<string, long> counts, IReadOnlyList<TallySum> sums, IReadOnlyDictionary<string, CellMark> marks, int below)
    {
        var bounds = marks.ToDictionary(m => m.Key, m => m.Value switch
        {
            CellMark.Shown => (Low: counts.GetValueOrDefault(m.Key), High: counts.GetValueOrDefault(m.Key)),
            CellMark.Small => (Low: 0L, High: below - 1L),
            _ => (Low: Related(m.Key, sums).Any(k => marks[k] == CellMark.Small) ? below : 0L, High: Unbounded),
        }, StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var sum in sums)
            {
                var low = sum.Parts.Sum(p => bounds[p].Low);
                var high = Math.Min(Unbounded, sum.Parts.Sum(p => Math.Min(bounds[p].High, Unbounded / 64)));
                // An inequality (Σ parts ≤ total) bounds the total from below and each part from above only.
                changed |= Narrow(bounds, sum.Total, low, sum.AtMost ? Unbounded : high);
                foreach (var part in sum.Parts)
                {
                    var othersLow = low - bounds[part].Low;
                    var othersHigh = sum.Parts.Where(p => p != part).Sum(p => Math.Min(bounds[p].High, Unbounded / 64));
                    changed |= Narrow(bounds, part, sum.AtMost ? 0 : bounds[sum.Total].Low - othersHigh, bounds[sum.Total].High - othersLow);
                }
            }
        }

        return bounds;
    }

    /// <summary>A range's total: shown only when every month of it is (then it tells nothing the months do not), and marked small when it is itself from 1 to N-1.</summary>
    public static CellMark Total(long total, IEnumerable<CellMark> months, int below) =>
        below > 0 && total > 0 && total < below ? CellMark.Small : months.Any(m => m != CellMark.Shown) ? CellMark.Secondary : CellMark.Shown;

    /// <summary>
    /// The marks of a financial quarter's three months and of the quarter itself, decided together, so the quarter can be
    /// published on its own: each month's figures and the quarter's are related by the month's sums and by
    /// quarter = first + second + third; a small month is protected by hiding another month's figure before the
    /// quarter's. Every request showing any of these months, or the quarter, gets the same marks. Keys of the answer:
    /// "0|key" to "2|key" for the months, "q|key" for the quarter.
    /// </summary>
    public static IReadOnlyDictionary<string, CellMark> Quarter(IReadOnlyList<IReadOnlyDictionary<string, long>> months, IReadOnlyList<TallySum> sums, int below)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(months.Count, 3);
        var keys = months.SelectMany(m => m.Keys).Concat(sums.SelectMany(s => s.Parts.Append(s.Total))).ToHashSet(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var joint = new List<TallySum>();
        foreach (var key in keys)
        {
            for (var i = 0; i < 3; i++)
            {
                counts[$"{i}|{key}"] = months[i].GetValueOrDefault(key);
            }

            counts[$"q|{key}"] = months.Sum(m => m.GetValueOrDefault(key));
            joint.Add(new TallySum($"q|{key}", [$"0|{key}", $"1|{key}", $"2|{key}"], Time: true));
        }

        foreach (var column in new[] { "0|", "1|", "2|", "q|" })
        {
            joint.AddRange(sums.Select(s => s with { Total = column + s.Total, Parts = [.. s.Parts.Select(p => column + p)] }));
        }

        return Month(counts, joint, below);
    }

    /// <summary>How a hidden figure reads: <c>&lt;N</c> when small, <c>[c]</c> when hidden to protect another.</summary>
    public static string Display(CellMark mark, int below) => mark == CellMark.Small ? $"<{below}" : "[c]";

    private static bool Narrow(Dictionary<string, (long Low, long High)> bounds, string key, long low, long high)
    {
        var (oldLow, oldHigh) = bounds[key];
        var next = (Math.Max(oldLow, low), Math.Min(oldHigh, high));
        if (next == (oldLow, oldHigh) || next.Item1 > next.Item2)
        {
            // An inconsistent sum (counts recounted at different times) narrows nothing: the reader learns nothing certain from it.
            return false;
        }

        bounds[key] = next;
        return true;
    }
}
