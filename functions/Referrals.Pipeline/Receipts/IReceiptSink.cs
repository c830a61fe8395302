using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>What became of a receipt.</summary>
public enum ReceiptResult
{
    /// <summary>The message's status moved on (or the receipt was recorded).</summary>
    Applied,

    /// <summary>Already known, or older than what is known: nothing changed (a status never goes backwards).</summary>
    AlreadyKnown,

    /// <summary>About a message the pipeline did not send, or whose victim's data was purged: acknowledged, counted and ignored.</summary>
    UnknownMessage,

    /// <summary>
    /// Names one of the pipeline's messages but is not from it (GOV.UK Notify reports another channel than the reference
    /// names, or another notification id than the one stored for that send): never applied, counted, refused.
    /// </summary>
    Mismatch,
}

/// <summary>
/// Where the webhook and callback endpoints hand each verified receipt, and the status timer each status it looks up.
/// Must be idempotent: receipts come in any order and more than once.
/// </summary>
public interface IReceiptSink
{
    Task<ReceiptResult> ApplyAsync(Receipt receipt, CancellationToken cancellationToken);
}
