namespace Referrals.State;

/// <summary>What a step does with the row it was handed, before calling anyone.</summary>
public enum ClaimStep
{
    /// <summary>Claim it (ETag-checked) and send.</summary>
    Send,

    /// <summary>Another delivery of the work item holds the claim: come back later.</summary>
    RetryLater,

    /// <summary>A sender stopped after calling out and before recording the result: it may have gone. Never sent again automatically.</summary>
    Unconfirmed,

    /// <summary>Already done: count it again (counting is idempotent, a crash may have come between the two).</summary>
    Recount,

    /// <summary>Nothing to do (suppressed, failed, cancelled...).</summary>
    Nothing,
}

/// <summary>At most one email per victim and one of each delivery, ever: the claim rules of both steps.</summary>
public static class ClaimRule
{
    public static ClaimStep ForEmail(EmailState email, DateTimeOffset now, TimeSpan lease) => email.Status switch
    {
        EmailStatus.Sending when now - email.AttemptedAt < lease => ClaimStep.RetryLater,
        EmailStatus.Sending => ClaimStep.Unconfirmed,
        EmailStatus.Sent => ClaimStep.Recount,
        EmailStatus.Queued => ClaimStep.Send,
        _ => ClaimStep.Nothing,
    };

    /// <summary>A text message or letter: as an email (Notify has no idempotency key either), and nothing to count again (its events travel with its state).</summary>
    public static ClaimStep ForMessage(MessageState message, DateTimeOffset now, TimeSpan lease) => message.Status switch
    {
        MessageStatus.Sending when now - message.AttemptedAt < lease => ClaimStep.RetryLater,
        MessageStatus.Sending => ClaimStep.Unconfirmed,
        MessageStatus.Queued => ClaimStep.Send,
        _ => ClaimStep.Nothing,
    };

    /// <param name="idempotent">Whether the channel dedupes on the delivery id (an API with an Idempotency-Key): then an expired claim may send again.</param>
    public static ClaimStep ForDelivery(DeliveryState delivery, DateTimeOffset now, TimeSpan lease, bool idempotent) => delivery.Status switch
    {
        DeliveryStatus.Delivered => ClaimStep.Recount,
        DeliveryStatus.Sending when now - delivery.AttemptedAt < lease => ClaimStep.RetryLater,
        DeliveryStatus.Sending when !idempotent => ClaimStep.Unconfirmed,
        DeliveryStatus.Sending or DeliveryStatus.Pending => ClaimStep.Send,
        _ => ClaimStep.Nothing,
    };
}
