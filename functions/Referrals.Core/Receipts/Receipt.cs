using Referrals.Contact;

namespace Referrals.Receipts;

/// <summary>Who reported on a message.</summary>
public enum ReceiptProvider
{
    SendGrid,
    Notify,
}

/// <summary>What a provider says became of a message, in the pipeline's terms (docs/receipts.md).</summary>
public enum ReceiptStatus
{
    /// <summary>Not final yet: the provider is still trying (SendGrid <c>deferred</c>, Notify <c>sending</c>/<c>created</c>/<c>pending</c>). Wait.</summary>
    Deferred,

    /// <summary>Reached the recipient (a letter: accepted or received by Notify for printing and posting).</summary>
    Delivered,

    /// <summary>Delivered, and the recipient marked it as spam (SendGrid <c>spamreport</c>): delivered, and recorded.</summary>
    SpamReported,

    /// <summary>Will never arrive by this channel (bounce, dropped, permanent or temporary failure, validation failed, cancelled): fall back.</summary>
    FailedForGood,

    /// <summary>The provider says it was never sent (Notify <c>technical-failure</c>): it may be sent again.</summary>
    NotSent,
}

/// <summary>
/// One provider event about one message, verified and parsed. <paramref name="Reference"/> is what the pipeline gave the
/// provider to find the message again: Notify's <c>reference</c>, or for an email <see cref="Contact.MessageReference.Email"/>
/// of the <c>custom_args</c> the pipeline sets. <paramref name="EventId"/> is the provider's id of this event
/// (<c>sg_event_id</c>; for Notify, its notification id and status), so a repeat can be recognised.
/// </summary>
public sealed record Receipt(ReceiptProvider Provider, Channel Channel, string Reference, ReceiptStatus Status, DateTimeOffset At, string EventId)
{
    /// <summary>The provider's own message id (SendGrid <c>sg_message_id</c>, Notify notification <c>id</c>), when it gave one.</summary>
    public string? ProviderMessageId { get; init; }

    /// <summary>Final: the provider will say nothing more about the message (everything except <see cref="ReceiptStatus.Deferred"/>).</summary>
    public bool IsFinal => Status != ReceiptStatus.Deferred;
}
