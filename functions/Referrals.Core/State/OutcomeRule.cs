namespace Referrals.State;

/// <summary>What came back from SendGrid or a service, in the terms both steps record.</summary>
public enum OutcomeKind
{
    Done,
    Permanent,
    Transient,

    /// <summary>It may or may not have gone (a timeout after sending, say): a second call could be a second email or referral.</summary>
    Unknown,
}

public sealed record Outcome(OutcomeKind Kind, string? Reason = null);

/// <summary>How a result is settled.</summary>
public enum Settled
{
    Done,

    /// <summary>For good: dead-lettered with its reason, replayable by an operator.</summary>
    Failed,

    /// <summary>May have gone: dead-lettered for an operator to check before replaying.</summary>
    Unconfirmed,

    /// <summary>Back to waiting; the queue brings the work item again.</summary>
    Retry,
}

/// <summary>The one settlement rule of the email and referral steps.</summary>
public static class OutcomeRule
{
    /// <param name="check">What the operator should check before replaying an unconfirmed send.</param>
    public static (Settled As, string? Reason) Settle(Outcome outcome, long dequeueCount, long maxDequeueCount, string check) => outcome.Kind switch
    {
        OutcomeKind.Done => (Settled.Done, null),
        OutcomeKind.Permanent => (Settled.Failed, outcome.Reason),
        OutcomeKind.Unknown => (Settled.Unconfirmed, $"{outcome.Reason}: {check}"),
        OutcomeKind.Transient when dequeueCount >= maxDequeueCount => (Settled.Failed, $"retries exhausted after {dequeueCount} deliveries: {outcome.Reason}"),
        OutcomeKind.Transient => (Settled.Retry, outcome.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, null),
    };
}
