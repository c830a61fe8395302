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
}

/// <summary>
/// Where the webhook and callback endpoints hand each verified receipt, and the status timer each status it looks up.
/// Must be idempotent: receipts come in any order and more than once.
/// </summary>
public interface IReceiptSink
{
    Task<ReceiptResult> ApplyAsync(Receipt receipt, CancellationToken cancellationToken);
}

/// <summary>The sink until one that applies receipts to the victims' state is registered: every receipt is an unknown message.</summary>
public sealed class UnknownMessageSink : IReceiptSink
{
    public Task<ReceiptResult> ApplyAsync(Receipt receipt, CancellationToken cancellationToken) => Task.FromResult(ReceiptResult.UnknownMessage);
}
