using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// Where the webhook and callback endpoints hand each verified receipt, and the status timer each status it looks up.
/// Must be idempotent: receipts come in any order and more than once.
/// </summary>
public interface IReceiptSink
{
    Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken);
}
