using Referrals.Contact;
using Referrals.State;

namespace Referrals.Receipts;

/// <summary>Who reported on a message.</summary>
public enum ReceiptProvider
{
    SendGrid,
    Notify,
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
