using Referrals.Calendar;

namespace Referrals.Tallies;

/// <summary>
/// When a month was last counted and how far its figures can be trusted: provisional until the month ended more than
/// the set number of days ago and was recounted after that, then final; a later change to a final month is applied and
/// recorded as a revision (how many, when last, and which figures changed).
/// </summary>
public sealed record MonthStatus(DateTimeOffset CountedAt, bool Final, int Revisions = 0, DateTimeOffset? RevisedAt = null, IReadOnlyList<string>? Revised = null)
{
    public string State => Final ? "final" : "provisional";

    /// <summary>The status after a recount at <paramref name="now"/> that found <paramref name="after"/> where <paramref name="before"/> was stored.</summary>
    /// <param name="provisionalUntil">Rulebook 1.2 section 12: the month's measures stay provisional until after this day (10 working days after its last target date).</param>
    public static MonthStatus Next(MonthStatus? previous, Month month, IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, DateTimeOffset now, int finalAfterDays, DateOnly? provisionalUntil = null)
    {
        var final = previous?.Final == true || (IsPastFinal(month, now, finalAfterDays) && !(London.DateOf(now) <= provisionalUntil));
        var changed = after.Keys.Union(before.Keys).Where(k => after.GetValueOrDefault(k) != before.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
        return previous?.Final == true && changed.Count > 0
            ? new MonthStatus(now, true, previous.Revisions + 1, now, changed)
            : new MonthStatus(now, final, previous?.Revisions ?? 0, previous?.RevisedAt, previous?.Revised);
    }

    /// <summary>A month can become final once it ended more than <paramref name="finalAfterDays"/> days ago (Europe/London dates).</summary>
    public static bool IsPastFinal(Month month, DateTimeOffset now, int finalAfterDays) =>
        London.DateOf(now) > month.LastDay.AddDays(finalAfterDays);

    /// <summary>
    /// The months the timer recounts: the current one and every earlier one that ended at most
    /// <paramref name="finalAfterDays"/> days ago, plus the one before: so each month is recounted after it can become
    /// final, and late changes to it are still picked up (as revisions) for about a month after that.
    /// </summary>
    public static IReadOnlyList<Month> Recent(DateTimeOffset now, int finalAfterDays)
    {
        var current = Month.Of(now);
        var first = Month.Of(London.DateOf(now).AddDays(-finalAfterDays)).Previous;
        return [.. new MonthRange(first, current).Months()];
    }
}
