using Referrals.Contact;
using Referrals.Pipeline.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The webhooks' and the status timer's receipts applied to the victims' contact state (<see cref="ReceiptRule"/>): an
/// email's by the crime and victim its <c>custom_args</c> name, a text message's or letter's by Notify's reference.
/// </summary>
public sealed class ContactReceiptSink(ContactReceipts receipts) : IReceiptSink
{
    public async Task<ReceiptResult> ApplyAsync(Receipt receipt, CancellationToken cancellationToken)
    {
        var kind = receipt.Status switch
        {
            ReceiptStatus.Deferred => ReceiptKind.Waiting,
            ReceiptStatus.Delivered or ReceiptStatus.SpamReported => ReceiptKind.Delivered,
            ReceiptStatus.FailedForGood => ReceiptKind.Failed,
            _ => ReceiptKind.NotSent,
        };
        var effect = receipt.Channel switch
        {
            MessageChannel.Email when MessageReferences.TryParseEmail(receipt.Reference, out var crime, out var victim) =>
                await receipts.ApplyAsync(crime, victim, Channel.Email, kind, null, receipt.At, cancellationToken),
            MessageChannel.Email => ReceiptEffect.Unknown,
            _ => await receipts.ApplyNotifyAsync(receipt.Reference, kind, receipt.At, cancellationToken),
        };
        return effect switch
        {
            ReceiptEffect.Applied => ReceiptResult.Applied,
            ReceiptEffect.NoChange => ReceiptResult.AlreadyKnown,
            _ => ReceiptResult.UnknownMessage,
        };
    }
}
