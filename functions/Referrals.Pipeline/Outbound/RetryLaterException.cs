namespace Referrals.Pipeline.Outbound;

/// <summary>Thrown to hand a work item back to the queue for a later try (the queue's visibility timeout is the backoff).</summary>
public sealed class RetryLaterException(string message) : Exception(message);
