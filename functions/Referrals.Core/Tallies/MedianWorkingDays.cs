using System.Globalization;

namespace Referrals.Tallies;

/// <summary>
/// The median working days from a crime's recorded date to the victim being informed, from the buckets
/// <see cref="TallyCategories.InformedAfter"/> (counts of victims informed after 0, 1, … 5, and 6 or more working days).
/// It is the lower median: the fewest working days within which at least half the victims were informed, a whole number.
/// When that falls in the last bucket it is "6 or more": the buckets do not say how many more.
/// </summary>
public readonly record struct MedianWorkingDays(int Days)
{
    public bool OrMore => Days >= TallyCategories.InformedAfterOpenBucket;

    /// <summary>The median of the counts by bucket (index = working days, the last one open); null when no victim is counted.</summary>
    public static MedianWorkingDays? Of(IReadOnlyList<long> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var total = buckets.Sum(b => Math.Max(0, b));
        long seen = 0;
        for (var days = 0; days < buckets.Count && total > 0; days++)
        {
            seen += Math.Max(0, buckets[days]);
            if (seen * 2 >= total)
            {
                return new MedianWorkingDays(Math.Min(days, TallyCategories.InformedAfterOpenBucket));
            }
        }

        return null;
    }

    public override string ToString() =>
        OrMore ? $"{TallyCategories.InformedAfterOpenBucket} or more" : Days.ToString(CultureInfo.InvariantCulture);
}
