using Microsoft.Extensions.Logging;
using Referrals.Contact;
using Referrals.Pipeline.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The webhooks' and the status timer's receipts applied to the victims' contact state (<see cref="ReceiptRule"/>): an
/// email's (SendGrid only) by the send its token (or the old <c>custom_args</c>) names, or, for an asynchronous bounce that
/// names none, by its recipient address when exactly one email to it awaits receipts (<see cref="RecipientMatch"/>,
/// <see cref="RecipientIndex"/>); a text message's or letter's (GOV.UK Notify only) by Notify's reference, its
/// <c>notification_type</c> and its notification id, so a Notify receipt never settles an email, another channel's message
/// or another send.
/// </summary>
/// <param name="tokens">The key of the emails' send tokens (issue 22); none: only the custom args of before it are known.</param>
/// <param name="recipients">The recipient index (issue 22); none: a bounce that names no message is never matched.</param>
public sealed partial class ContactReceiptSink(ContactReceipts receipts, ILogger<ContactReceiptSink> logger, MessageToken? tokens = null, RecipientIndex? recipients = null) : IReceiptSink
{
    public Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken) => ApplyReceiptAsync(receipt, null, cancellationToken);

    public Task<ReceiptEffect> ApplyAsync(Receipt receipt, ReceiptBatch batch, CancellationToken cancellationToken) => ApplyReceiptAsync(receipt, batch, cancellationToken);

    public Task CompleteAsync(ReceiptBatch batch, CancellationToken cancellationToken) => recipients?.WriteAsync(batch, cancellationToken) ?? Task.CompletedTask;

    private async Task<ReceiptEffect> ApplyReceiptAsync(Receipt receipt, ReceiptBatch? batch, CancellationToken cancellationToken)
    {
        if (receipt.Provider == ReceiptProvider.SendGrid && receipt.IsByRecipientOnly)
        {
            return await ApplyByRecipientAsync(receipt, receipt.RecipientKey!, batch, cancellationToken);
        }

        var (crime, victim, attempt) = receipt.Provider switch
        {
            ReceiptProvider.SendGrid when receipt.Channel == Channel.Email && tokens is not null && tokens.TryOpen(receipt.Reference, out var send) =>
                send.Channel == Channel.Email ? (send.CrimeReference, send.VictimId, (int?)send.Attempt) : (null, null, null),
            ReceiptProvider.SendGrid when receipt.Channel == Channel.Email && MessageReference.TryParseEmail(receipt.Reference, out var c, out var v) => (c, v, null),
            _ => ((string?)null, (string?)null, (int?)null),
        };

        if (receipt.Provider == ReceiptProvider.Notify && receipt.ProviderMessageId is { } id)
        {
            return await ApplyNotifyAsync(receipt, id, cancellationToken);
        }

        return crime is null || victim is null ? ReceiptEffect.UnknownMessage : await ApplyEmailAsync(receipt, crime, victim, batch, cancellationToken, attempt);
    }

    private async Task<ReceiptEffect> ApplyEmailAsync(Receipt receipt, string crime, string victim, ReceiptBatch? batch, CancellationToken cancellationToken, int? attempt = null)
    {
        var (effect, found) = await receipts.ApplyEmailAsync(crime, victim, receipt.Status, receipt.At, cancellationToken, attempt);
        if (recipients is null || receipt.RecipientKey is not { } key)
        {
            return effect;
        }

        // An asynchronous bounce can only follow a delivery: the index is written when delivered is applied (never when
        // sending), and a bounce takes the email out of it. The delivered that was applied, sent again (SendGrid resends
        // a batch not answered 2xx, as after a crash between the victim's write and the index's), writes it again.
        if (receipt.Status == ReceiptStatus.Delivered && (effect == ReceiptEffect.Applied || (effect == ReceiptEffect.AlreadyKnown && found is { Status: MessageStatus.Delivered } && found.DeliveredAt == receipt.At)))
        {
            await recipients.DeliveredAsync(key, crime, victim, receipt.At, cancellationToken, batch);
        }
        else if (receipt.Status == ReceiptStatus.FailedForGood && effect == ReceiptEffect.Applied)
        {
            await recipients.BouncedAsync(key, crime, victim, cancellationToken, batch);
        }

        return effect;
    }

    private async Task<ReceiptEffect> ApplyByRecipientAsync(Receipt receipt, string key, ReceiptBatch? batch, CancellationToken cancellationToken)
    {
        if (recipients is null)
        {
            return ReceiptEffect.NoRecipientMatch;
        }

        var (outcome, email, reason) = RecipientMatch.Of(await recipients.AwaitingAsync(key, receipt.At, cancellationToken, batch), receipt.At);
        LogByRecipient(logger, outcome, reason);
        return outcome switch
        {
            RecipientMatchOutcome.Matched => await ApplyEmailAsync(receipt, email!.CrimeReference, email.VictimId, batch, cancellationToken),
            RecipientMatchOutcome.Ambiguous => ReceiptEffect.AmbiguousRecipient,
            _ => ReceiptEffect.NoRecipientMatch,
        };
    }

    private async Task<ReceiptEffect> ApplyNotifyAsync(Receipt receipt, string notificationId, CancellationToken cancellationToken)
    {
        var (effect, reason) = await receipts.ApplyNotifyAsync(receipt.Reference, receipt.Channel, notificationId, receipt.Status, receipt.At, cancellationToken);
        if (effect == ReceiptEffect.Mismatch)
        {
            LogMismatch(logger, reason);
        }

        return effect;
    }

    // The reason is the rule's own words (channels, "notification id"): never a value from the receipt.
    [LoggerMessage(Level = LogLevel.Warning, Message = "GOV.UK Notify receipt not applied: {Reason}")]
    private static partial void LogMismatch(ILogger logger, string reason);

    // The rule's own words and counts: never the address, its key or the victim.
    [LoggerMessage(Level = LogLevel.Information, Message = "SendGrid bounce naming no message, by its recipient: {Outcome} ({Reason})")]
    private static partial void LogByRecipient(ILogger logger, RecipientMatchOutcome outcome, string reason);
}
