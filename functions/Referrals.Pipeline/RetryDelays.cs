using System.Net.Http.Headers;

namespace Referrals.Pipeline;

/// <summary>How long to wait before trying an HTTP call again: shared by the SendGrid and the services' gateways.</summary>
public static class RetryDelays
{
    /// <summary>Exponential from half a second, with jitter so concurrent retries do not arrive together.</summary>
    public static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds((500 * Math.Pow(2, attempt - 1)) + Random.Shared.Next(0, 250));

    /// <summary>What the server asked for in Retry-After (seconds or a date), if anything.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now) =>
        headers.RetryAfter is { } retryAfter ? retryAfter.Delta ?? (retryAfter.Date - now) : null;

    /// <summary>Never negative, never longer than the cap, whatever the server asked for.</summary>
    public static TimeSpan Clamp(TimeSpan wanted, TimeSpan cap) =>
        wanted < TimeSpan.Zero ? TimeSpan.Zero : wanted > cap ? cap : wanted;
}
