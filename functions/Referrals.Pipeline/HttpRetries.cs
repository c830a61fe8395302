using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline;

/// <summary>
/// One try of a call to SendGrid or a service's API: what came of it, whether another try in this delivery is
/// worthwhile (the caller knows which answers mean "not accepted"), and how long the server asked us to wait first.
/// </summary>
public readonly record struct HttpTry<TOutcome>(TOutcome Outcome, bool WorthRetrying, TimeSpan? RetryAfter = null);

/// <summary>
/// The in-process retries of the SendGrid, GOV.UK Notify and services' gateways (Polly): exponential backoff with jitter from half a
/// second, never longer than the cap, so concurrent retries do not arrive together. A server's Retry-After is honoured
/// when it is within the cap; a server asking for longer is not waited for at all: the last outcome goes back to the
/// caller, which hands the work item back to its queue (whose visibility timeout is the longer backoff).
/// </summary>
public static class HttpRetries
{
    public static ResiliencePipeline<HttpTry<T>> Pipeline<T>(int maxAttempts, TimeSpan cap, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpTry<T>> { TimeProvider = time };
        if (maxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpTry<T>>
            {
                MaxRetryAttempts = maxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = cap > TimeSpan.Zero ? cap : null,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { WorthRetrying: true } attempt && !Beyond(attempt.RetryAfter, cap)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result.RetryAfter is { } asked && asked > TimeSpan.Zero ? asked
                    : cap == TimeSpan.Zero ? TimeSpan.Zero
                    : (TimeSpan?)null),
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// Sends through <paramref name="retries"/> within the send budget: no attempt starts that could end after it (the
    /// wait asked for, or the cap, plus one call's timeout), which bounds how long the message stays claimed.
    /// </summary>
    /// <param name="tryOnce">One attempt, given its number (1, 2, …).</param>
    public static async Task<T> SendWithinBudgetAsync<T>(
        ResiliencePipeline<HttpTry<T>> retries, SendBudgetOptions settings, TimeProvider time, Func<int, CancellationToken, Task<HttpTry<T>>> tryOnce, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var attempt = 0;
        var last = await retries.ExecuteAsync(
            async token =>
            {
                var once = await tryOnce(++attempt, token);
                var wait = once.RetryAfter ?? settings.MaxRetryDelay;
                return once with { WorthRetrying = once.WorthRetrying && wait <= settings.MaxRetryDelay && time.GetElapsedTime(started) + wait + settings.Timeout <= settings.SendBudget };
            },
            cancellationToken);
        return last.Outcome;
    }

    /// <summary>Whether the server asked for a longer wait than the cap: then the queue, not this delivery, tries again.</summary>
    public static bool Beyond(TimeSpan? asked, TimeSpan cap) => asked is { } wait && wait > cap;

    /// <summary>What the server asked for in Retry-After (seconds or a date, possibly in the past), if anything readable.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now) =>
        headers.RetryAfter is { } retryAfter ? retryAfter.Delta ?? (retryAfter.Date - now) : null;
}
