using System.Net.Http.Headers;
using Polly;
using Polly.Retry;

namespace Referrals.Pipeline;

/// <summary>
/// One try of a call to SendGrid or a service's API: what came of it, whether another try in this delivery is
/// worthwhile (the caller knows which answers mean "not accepted"), and how long the server asked us to wait first.
/// </summary>
public readonly record struct HttpTry<TOutcome>(TOutcome Outcome, bool WorthRetrying, TimeSpan? RetryAfter = null);

/// <summary>
/// The in-process retries of the SendGrid and services' gateways (Polly): exponential backoff with jitter from half a
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

    /// <summary>Whether the server asked for a longer wait than the cap: then the queue, not this delivery, tries again.</summary>
    public static bool Beyond(TimeSpan? asked, TimeSpan cap) => asked is { } wait && wait > cap;

    /// <summary>What the server asked for in Retry-After (seconds or a date, possibly in the past), if anything readable.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now) =>
        headers.RetryAfter is { } retryAfter ? retryAfter.Delta ?? (retryAfter.Date - now) : null;
}
