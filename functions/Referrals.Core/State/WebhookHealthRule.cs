namespace Referrals.State;

/// <summary>What the SendGrid webhook endpoint recorded in one UTC hour: whether it answered a signed batch 2xx, and whether it failed one.</summary>
public sealed record WebhookHour(DateTimeOffset Hour, bool Answered, bool Failed);

/// <summary>
/// Rulebook 1.2 section 6: SendGrid's silence counts only while the webhook endpoint was answering. The endpoint records,
/// per UTC hour, that it answered a signed batch (2xx) or failed one (a body refused or a batch not applied: SendGrid
/// retries those). The 24 hours after a send are healthy when no hour touching them has a failure and each
/// <see cref="Block"/> of them has an answered batch (with <c>processed</c> events on, every email sent brings one): an
/// outage is never mistaken for silence, at the price of quiet nights making silence unprovable (unsettled, a task).
/// </summary>
public static class WebhookHealthRule
{
    /// <summary>Each block of this length within the 24 hours needs an answered batch.</summary>
    public static readonly TimeSpan Block = TimeSpan.FromHours(6);

    /// <summary>The hours to read for the window after <paramref name="attemptedAt"/>: from its hour to the hour of its end.</summary>
    public static (DateTimeOffset From, DateTimeOffset Through) Hours(DateTimeOffset attemptedAt) =>
        (HourOf(attemptedAt), HourOf(attemptedAt + UnknownRule.SendGridSilence));

    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, at.UtcDateTime.Day, at.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);

    public static bool Healthy(DateTimeOffset attemptedAt, IEnumerable<WebhookHour> hours)
    {
        var (from, through) = Hours(attemptedAt);
        var window = hours.Where(h => h.Hour >= from && h.Hour <= through).ToList();
        if (window.Any(h => h.Failed))
        {
            return false;
        }

        for (var start = attemptedAt; start < attemptedAt + UnknownRule.SendGridSilence; start += Block)
        {
            var (blockFrom, blockTo) = (HourOf(start), start + Block);
            if (!window.Any(h => h.Answered && h.Hour >= blockFrom && h.Hour < blockTo))
            {
                return false;
            }
        }

        return true;
    }
}
