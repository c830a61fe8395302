using System.Globalization;

namespace Referrals.Receipts;

/// <summary>
/// Data minimisation in the recipient index: its address rows exist only to match a bounce that names no message
/// (<see cref="RecipientMatch"/>), so a UTC day's partition of them is emptied by the retention purge once no bounce can
/// be matched to any of its emails: the day ended more than the window, the skew and a day's margin (a bounce's
/// webhook retried for up to a day) ago. Days are emptied oldest first, a bounded number per run, from the day after
/// the last one emptied; a store that never emptied one starts at <see cref="FirstDay"/>. Pure.
/// </summary>
public static class RecipientDays
{
    /// <summary>The first day of the partitions by day (issue 29, merged 2026-12-07): no day partition is older.</summary>
    public static readonly DateOnly FirstDay = new(2026, 12, 7);

    /// <summary>After the window and the skew: a bounce's webhook SendGrid retries for up to 24 hours.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromDays(1);

    /// <summary>At most this many days a run (a quarter: a store far behind catches up in a few daily runs).</summary>
    public const int MaxDaysPerRun = 92;

    /// <summary>At most this many address rows a run (each with its pointer: two deletes); the rest of a day next run.</summary>
    public const int MaxRowsPerRun = 5000;

    /// <summary>The newest day none of whose emails a bounce can still be matched to at <paramref name="now"/>.</summary>
    public static DateOnly LastExpired(DateTimeOffset now) =>
        DateOnly.FromDateTime((now - RecipientMatch.Window - RecipientMatch.Skew - Margin).UtcDateTime).AddDays(-1);

    /// <summary>Whether an email delivered at <paramref name="deliveredAt"/> is past matching: its address row is not written.</summary>
    public static bool IsExpired(DateTimeOffset deliveredAt, DateTimeOffset now) => DateOnly.FromDateTime(deliveredAt.UtcDateTime) <= LastExpired(now);

    /// <summary>
    /// The days whose partitions are due to be emptied now, oldest first (at most <see cref="MaxDaysPerRun"/>), and why.
    /// </summary>
    /// <param name="emptiedThrough">The last day a run emptied; none: no run has.</param>
    public static (IReadOnlyList<DateOnly> Days, string Reason) Due(DateOnly? emptiedThrough, DateTimeOffset now)
    {
        var (first, last) = (emptiedThrough?.AddDays(1) ?? FirstDay, LastExpired(now));
        first = first < FirstDay ? FirstDay : first;
        if (first > last)
        {
            return ([], emptiedThrough is { } done && done >= FirstDay
                ? $"nothing due: every day through {Day(done)} is emptied and {Day(done.AddDays(1))} is not yet past matching"
                : $"nothing due: no day partition before {Day(FirstDay)} exists and it is not yet past matching");
        }

        var due = last.DayNumber - first.DayNumber + 1;
        var days = Enumerable.Range(0, Math.Min(due, MaxDaysPerRun)).Select(first.AddDays).ToList();
        var rest = due > MaxDaysPerRun ? string.Create(CultureInfo.InvariantCulture, $"; {due - MaxDaysPerRun} more day(s) next run") : string.Empty;
        return (days, string.Create(CultureInfo.InvariantCulture,
            $"days {Day(days[0])} to {Day(days[^1])} are past matching: each ended more than the window ({RecipientMatch.Window.TotalDays} days), the skew ({RecipientMatch.Skew.TotalMinutes} minutes) and a day's margin ago{rest}"));
    }

    /// <summary>A day as its partition names it.</summary>
    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
