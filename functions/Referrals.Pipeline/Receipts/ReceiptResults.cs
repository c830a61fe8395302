using System.Runtime.ExceptionServices;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>What a webhook request did, as the endpoints answer it (counts only, nothing from the body).</summary>
/// <param name="Mismatched">Receipts naming one of the pipeline's messages without coming from it (<see cref="ReceiptEffect.Mismatch"/>): never applied.</param>
public sealed record ReceiptCounts(int Received, int Applied, int AlreadyKnown, int Unknown, int Ignored, int Mismatched);

/// <summary>Hands receipts to the sink and counts what became of each, and of each event ignored; the webhook endpoints' shared tail.</summary>
public static class ReceiptResults
{
    /// <summary>
    /// <see cref="ApplyAsync"/>, or null when storage failed: the endpoint answers 500 and the provider sends the whole
    /// batch again (the sink is idempotent). Only the exception's type reaches <paramref name="logNotApplied"/>.
    /// </summary>
    public static async Task<ReceiptCounts?> TryApplyAsync(
        IReceiptSink sink, PipelineMetrics metrics, string provider, IReadOnlyList<Receipt> receipts, IReadOnlyList<IgnoredEvent> ignored,
        Action<string> logNotApplied, CancellationToken cancellationToken, int concurrency = 1)
    {
        try
        {
            return await ApplyAsync(sink, metrics, provider, receipts, ignored, cancellationToken, concurrency);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logNotApplied(ex.GetType().Name);
            metrics.Count("receipt", $"{provider}:not-applied");
            return null;
        }
    }

    /// <summary>A request refused before anything changed, counted by why (e.g. "bad-body").</summary>
    public static EndpointResponse Refused(PipelineMetrics metrics, string provider, string why, EndpointResponse response)
    {
        metrics.Count("receipt", $"{provider}:{why}");
        return response;
    }

    /// <summary>
    /// How many messages' receipts one batch applies at once (issue 29): each message's in timestamp order, one after
    /// another, so its row sees them as they happened; different messages side by side, each its own row (a crime's
    /// victims share a partition, and the ETag check makes two receipts for one victim under different keys safe).
    /// </summary>
    public const int BatchConcurrency = 32;

    /// <summary>
    /// How long the batch's end may take to write what its receipts held, whatever became of the request: a few
    /// transactions of up to 100 rows, bounded so that a request cancelled as the host stops does not hold it long.
    /// </summary>
    public static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Hands each receipt to the sink as one of a batch, one call per receipt, then completes the batch (the writes its
    /// receipts share: <see cref="ReceiptBatch"/>), and counts what became of each. Receipts are grouped by the message
    /// they name (<see cref="MessageOf"/>): at most <paramref name="concurrency"/> messages at a time, each message's
    /// receipts in timestamp order; bounces matched by their recipient alone (<see cref="Receipt.IsByRecipientOnly"/>)
    /// after all the others, so they see the deliveries of their own batch. A failure lets the messages already started
    /// finish and starts no more, completes the batch, then throws the failure (never the completion's): the endpoint
    /// answers 5xx and the provider resends the batch (docs/receipts.md). A completion that fails alone throws too.
    /// </summary>
    public static async Task<ReceiptCounts> ApplyAsync(
        IReceiptSink sink, PipelineMetrics metrics, string provider, IReadOnlyList<Receipt> receipts, IReadOnlyList<IgnoredEvent> ignored, CancellationToken cancellationToken, int concurrency = 1)
    {
        var results = new ReceiptEffect[receipts.Count];
        var indexed = receipts.Select((receipt, index) => (Receipt: receipt, Index: index)).ToList();
        var batch = new ReceiptBatch();
        ExceptionDispatchInfo? failure = null;
        try
        {
            foreach (var byRecipient in new[] { false, true })
            {
                var messages = indexed.Where(r => r.Receipt.IsByRecipientOnly == byRecipient)
                    .GroupBy(r => MessageOf(r.Receipt), StringComparer.Ordinal)
                    .Select(message => message.OrderBy(r => r.Receipt.At).ThenBy(r => r.Index).ToList());
                await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken }, async (message, token) =>
                {
                    foreach (var (receipt, index) in message)
                    {
                        results[index] = await sink.ApplyAsync(receipt, batch, token);
                    }
                });
            }
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        try
        {
            // The writes the receipts share (the recipient index's rows by day), also after a failure: those applied keep
            // theirs. Not with the request's token: when it was cancelled (the caller went away, the host stopping) the
            // deliveries already applied to the victims' state would lose their address rows, and a bounce naming no
            // message could not be matched until the provider resent the batch. The completion's own time is bounded instead.
            using var completion = new CancellationTokenSource(CompletionTimeout);
            await sink.CompleteAsync(batch, completion.Token);
        }
        catch (Exception) when (failure is not null)
        {
            // The receipt's failure (or the cancellation) is the one the caller answers: the batch is resent either way,
            // and a delivered applied again writes its address row again.
        }

        failure?.Throw();

        int applied = 0, known = 0, unknown = 0, mismatched = 0;
        for (var i = 0; i < receipts.Count; i++)
        {
            var (receipt, result) = (receipts[i], results[i]);
            metrics.Count("receipt", $"{provider}:{Name(result)}");
            switch (result)
            {
                case ReceiptEffect.Applied:
                    applied++;
                    metrics.Receipt(receipt.Channel, receipt.Status);
                    break;
                case ReceiptEffect.AlreadyKnown:
                    known++;
                    break;
                case ReceiptEffect.Mismatch:
                    mismatched++;
                    break;
                case ReceiptEffect.NoRecipientMatch or ReceiptEffect.AmbiguousRecipient:
                    unknown++;
                    metrics.UnmatchedBounce(result == ReceiptEffect.AmbiguousRecipient);
                    break;
                default:
                    unknown++;
                    break;
            }
        }

        foreach (var reason in ignored)
        {
            metrics.Count("receipt", $"{provider}:{Name(reason)}");
        }

        return new ReceiptCounts(receipts.Count + ignored.Count, applied, known, unknown + ignored.Count(i => i == IgnoredEvent.UnknownMessage), ignored.Count(i => i != IgnoredEvent.UnknownMessage), mismatched);
    }

    /// <summary>The message a receipt is about: the reference the pipeline gave it, else the provider's message id, else (a bounce naming neither) its recipient's key.</summary>
    public static string MessageOf(Receipt receipt) =>
        receipt.Reference.Length > 0 ? $"ref|{receipt.Reference}"
        : receipt.ProviderMessageId is { Length: > 0 } id ? $"id|{id}"
        : $"to|{receipt.RecipientKey}";

    private static string Name(ReceiptEffect result) => result switch
    {
        ReceiptEffect.Applied => "applied",
        ReceiptEffect.AlreadyKnown => "already-known",
        ReceiptEffect.Mismatch => "mismatch",
        ReceiptEffect.Erased => "erased",
        ReceiptEffect.NoRecipientMatch => "bounce-unmatched",
        ReceiptEffect.AmbiguousRecipient => "bounce-ambiguous",
        _ => "unknown-message",
    };

    private static string Name(IgnoredEvent reason) => reason switch
    {
        IgnoredEvent.NotAStatus => "not-a-status",
        IgnoredEvent.NotAVictimMessage => "not-a-victim-message",
        IgnoredEvent.Duplicate => "duplicate",
        _ => "unknown-message",
    };
}
