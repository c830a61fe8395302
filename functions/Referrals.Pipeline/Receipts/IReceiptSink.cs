using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// Where the webhook and callback endpoints hand each verified receipt, and the status timer each status it looks up.
/// Must be idempotent: receipts come in any order and more than once.
/// </summary>
public interface IReceiptSink
{
    /// <summary>One receipt alone: every write it asks for is made before this completes.</summary>
    Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken);

    /// <summary>A receipt of a batch: writes the batch's receipts share wait in <paramref name="batch"/> for <see cref="CompleteAsync"/>.</summary>
    Task<ReceiptEffect> ApplyAsync(Receipt receipt, ReceiptBatch batch, CancellationToken cancellationToken) => ApplyAsync(receipt, cancellationToken);

    /// <summary>Makes the writes the batch's receipts left waiting (also after a receipt failed: those applied keep their rows).</summary>
    Task CompleteAsync(ReceiptBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;
}
