namespace Referrals.State;

/// <summary>What a provider or a service answered to one send: the one send outcome of every gateway (SendGrid, GOV.UK Notify, the services' APIs).</summary>
public abstract record SendOutcome
{
    /// <summary>Accepted: with the provider's id of the message (SendGrid's <c>X-Message-Id</c>, Notify's notification id) and the HTTP status, where there are any.</summary>
    public sealed record Accepted(string? ProviderId = null, int? Status = null) : SendOutcome;

    /// <summary>Not accepted, and nothing was kept (429, 503, a connection that could not be made…): worth trying again later.</summary>
    public sealed record Transient(string Reason) : SendOutcome;

    /// <summary>Will never be accepted as it is: any other 4xx, or a redirect (never followed).</summary>
    public sealed record Permanent(string Reason, int? Status = null) : SendOutcome;

    /// <summary>
    /// It may have been accepted (a timeout, a connection lost after the request was sent, a 5xx, a 2xx without Notify's
    /// id): neither SendGrid, GOV.UK Notify nor a mailbox has an idempotency key, so a repeat could be a second message.
    /// </summary>
    public sealed record Unknown(string Reason) : SendOutcome;
}

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

/// <summary>A settled result: how, why (for a message, as a <see cref="MessageReason"/>), and the words that go with it.</summary>
public sealed record Settlement(Settled As, MessageReason? Reason = null, string? Detail = null);

/// <summary>The one settlement rule of the message and referral steps.</summary>
public static class OutcomeRule
{
    /// <param name="check">What the operator should check before replaying an unconfirmed send.</param>
    public static Settlement Settle(SendOutcome outcome, long dequeueCount, long maxDequeueCount, string check) => outcome switch
    {
        SendOutcome.Accepted => new(Settled.Done),
        SendOutcome.Permanent permanent => new(Settled.Failed, MessageReason.Refused, permanent.Reason),
        SendOutcome.Unknown unknown => new(Settled.Unconfirmed, MessageReason.OutcomeUnknown, $"{unknown.Reason}: {check}"),
        SendOutcome.Transient transient when dequeueCount >= maxDequeueCount =>
            new(Settled.Failed, MessageReason.RetriesExhausted, $"retries exhausted after {dequeueCount} deliveries: {transient.Reason}"),
        SendOutcome.Transient transient => new(Settled.Retry, null, transient.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>
    /// What an operator can check at the provider about a message whose outcome is unknown: SendGrid's activity for the
    /// email's token, or GOV.UK Notify's record of the send by its opaque reference (no personal data). The status timer
    /// settles it from those records (rulebook 1.2 section 6, <see cref="UnknownRule"/>).
    /// </summary>
    /// <param name="tokens">The key of the send's token (issue 22); none: the readable reference of before it.</param>
    public static string CheckBeforeReplay(string crimeReference, string victimId, Contact.Channel channel, int attempt, Contact.MessageToken? tokens = null) =>
        channel == Contact.Channel.Email
            ? "check SendGrid's activity for this email (its ref custom arg); the status timer settles it: any SendGrid event about it, or 24 hours of silence with the webhook answering (rulebook 1.2 section 6)"
            : $"check GOV.UK Notify for this message (GET /v2/notifications?reference={Contact.MessageToken.NotifyReference(tokens, crimeReference, victimId, channel, attempt)}); the status timer settles it from Notify's records (a look-up by reference), never by sending blind";
}
