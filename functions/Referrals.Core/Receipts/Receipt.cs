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

    /// <summary>
    /// The keyed hash of the recipient address (SendGrid's <c>email</c>; never the address itself), when the endpoint has
    /// the key: a delivered email is indexed by it, and a bounce with an empty <see cref="Reference"/> is matched by it
    /// (<see cref="RecipientMatch"/>).
    /// </summary>
    public string? RecipientKey { get; init; }

    /// <summary>A bounce that names no message of ours, to be matched by its recipient address alone.</summary>
    public bool IsByRecipientOnly => Reference.Length == 0 && RecipientKey is not null;

    /// <summary>Final: the provider will say nothing more about the message (everything except <see cref="ReceiptStatus.Deferred"/>).</summary>
    public bool IsFinal => Status != ReceiptStatus.Deferred;
}
