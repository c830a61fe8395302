using Microsoft.Extensions.Logging;
using Referrals.Contact;
using Referrals.Pipeline.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The webhooks' and the status timer's receipts applied to the victims' contact state (<see cref="ReceiptRule"/>): an
/// email's (SendGrid only) by the crime and victim its <c>custom_args</c> name, a text message's or letter's (GOV.UK
/// Notify only) by Notify's reference, its <c>notification_type</c> and its notification id, so a Notify receipt never
/// settles an email, another channel's message or another send.
/// </summary>
/// <param name="tokens">The key of the emails' send tokens (issue 22); none: only the custom args of before it are known.</param>
public sealed partial class ContactReceiptSink(ContactReceipts receipts, ILogger<ContactReceiptSink> logger, MessageToken? tokens = null) : IReceiptSink
{
    public async Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        var effect = receipt.Provider switch
        {
            ReceiptProvider.SendGrid when receipt.Channel == Channel.Email && tokens is not null && tokens.TryOpen(receipt.Reference, out var send) =>
                send.Channel == Channel.Email ? await receipts.ApplyEmailAsync(send.CrimeReference, send.VictimId, receipt.Status, receipt.At, cancellationToken) : ReceiptEffect.UnknownMessage,
            ReceiptProvider.SendGrid when receipt.Channel == Channel.Email && MessageReference.TryParseEmail(receipt.Reference, out var crime, out var victim) =>
                await receipts.ApplyEmailAsync(crime, victim, receipt.Status, receipt.At, cancellationToken),
            ReceiptProvider.Notify when receipt.ProviderMessageId is { } id =>
                await ApplyNotifyAsync(receipt, id, cancellationToken),
            _ => ReceiptEffect.UnknownMessage,
        };
        return effect;
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
}
