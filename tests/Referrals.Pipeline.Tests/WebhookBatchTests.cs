using System.Collections.Concurrent;
using Referrals.Contact;
using Referrals.Pipeline.Receipts;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>Issue 29: a webhook batch's receipts applied several messages at a time, each message's in timestamp order, one sink call per receipt.</summary>
public sealed class WebhookBatchTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly PipelineMetrics _metrics = new();

    public void Dispose() => _metrics.Dispose();

    /// <summary>Forty messages, each with a deferred, a delivered and a spam report event, sent newest first.</summary>
    private static List<Receipt> Batch() =>
        [.. Enumerable.Range(0, 40).SelectMany(m => new[] { ReceiptStatus.SpamReported, ReceiptStatus.Delivered, ReceiptStatus.Deferred }
            .Select((status, i) => new Receipt(ReceiptProvider.SendGrid, Channel.Email, $"token-{m}", status, Start.AddSeconds(m + 10 - i), $"e{m}-{i}")))];

    [Fact]
    public async Task A_batch_applies_several_messages_at_once_each_message_s_receipts_oldest_first_once_each_then_completes_once()
    {
        var sink = new SlowSink();

        var counts = await ReceiptResults.ApplyAsync(sink, _metrics, "sendgrid", Batch(), [], CancellationToken.None, ReceiptResults.BatchConcurrency);

        Assert.Equal((120, 120), (counts.Received, counts.Applied));
        Assert.Equal(120, sink.Calls.Count);
        Assert.All(sink.Calls.GroupBy(c => c.Reference), message =>
            Assert.Equal([ReceiptStatus.Deferred, ReceiptStatus.Delivered, ReceiptStatus.SpamReported], message.Select(c => c.Status)));
        Assert.InRange(sink.MostAtOnce, 2, ReceiptResults.BatchConcurrency);
        Assert.Equal((1, 120), (sink.Completed, sink.CallsWhenCompleted));
    }

    [Fact]
    public async Task A_failure_in_one_message_fails_the_batch_for_a_resend_starts_no_more_messages_and_completes_the_batch()
    {
        var sink = new SlowSink(failOn: "token-3");

        await Assert.ThrowsAsync<IOException>(() => ReceiptResults.ApplyAsync(sink, _metrics, "sendgrid", Batch(), [], CancellationToken.None, concurrency: 2));
        var answer = await ReceiptResults.TryApplyAsync(sink, _metrics, "sendgrid", Batch(), [], _ => { }, CancellationToken.None, concurrency: 2);

        Assert.Null(answer);
        Assert.Equal(2, sink.Completed); // the receipts applied keep the writes their batch held
        Assert.Contains(sink.Calls, c => c.Reference == "token-0");
        Assert.DoesNotContain(sink.Calls, c => c.Reference == "token-39");
    }

    [Fact]
    public async Task The_batch_s_end_never_hides_a_receipt_s_failure_or_a_cancellation_and_runs_on_its_own_token_and_fails_the_batch_alone()
    {
        // A receipt fails, then the batch's end fails too: the receipt's failure is the one the endpoint answers.
        var both = new SlowSink(failOn: "token-3", completion: new InvalidOperationException("the batch's end failed"));
        await Assert.ThrowsAsync<IOException>(() => ReceiptResults.ApplyAsync(both, _metrics, "sendgrid", Batch(), [], CancellationToken.None, concurrency: 2));
        Assert.Equal(1, both.Completed);

        // Every receipt applied, the batch's end fails: that is thrown (5xx, and the provider resends the batch).
        var end = new SlowSink(completion: new InvalidOperationException("the batch's end failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiptResults.ApplyAsync(end, _metrics, "sendgrid", Batch(), [], CancellationToken.None, ReceiptResults.BatchConcurrency));
        Assert.Equal((1, 120), (end.Completed, end.CallsWhenCompleted));

        // The request cancelled mid-batch: the cancellation is thrown, and the batch's end still writes what the receipts
        // applied held, on a token of its own that is not cancelled (a sink's storage call would have thrown on the request's).
        using var request = new CancellationTokenSource();
        var cancelled = new SlowSink(onApply: _ => request.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReceiptResults.ApplyAsync(cancelled, _metrics, "sendgrid", Batch(), [], request.Token, concurrency: 2));
        Assert.Equal(1, cancelled.Completed);
        Assert.True(cancelled.CompletedOn is { CanBeCanceled: true, IsCancellationRequested: false });
    }

    [Fact]
    public void A_receipt_s_message_is_its_reference_else_the_provider_s_id_else_its_recipient()
    {
        var receipt = new Receipt(ReceiptProvider.SendGrid, Channel.Email, "token-1", ReceiptStatus.Delivered, Start, "e1") { ProviderMessageId = "sg-1", RecipientKey = "k1" };

        Assert.Equal("ref|token-1", ReceiptResults.MessageOf(receipt));
        Assert.Equal("id|sg-1", ReceiptResults.MessageOf(receipt with { Reference = string.Empty }));
        Assert.Equal("to|k1", ReceiptResults.MessageOf(receipt with { Reference = string.Empty, ProviderMessageId = null }));
    }

    /// <summary>Applies each receipt after 5 ms; fails the one of <paramref name="failOn"/>, and the batch's end with <paramref name="completion"/>.</summary>
    private sealed class SlowSink(string? failOn = null, Exception? completion = null, Action<Receipt>? onApply = null) : IReceiptSink
    {
        private int _now;

        public ConcurrentQueue<Receipt> Calls { get; } = new();

        public int MostAtOnce { get; private set; }

        public int Completed { get; private set; }

        public int CallsWhenCompleted { get; private set; }

        public Task<ReceiptEffect> ApplyAsync(Receipt receipt, ReceiptBatch batch, CancellationToken cancellationToken) => ApplyAsync(receipt, cancellationToken);

        public CancellationToken? CompletedOn { get; private set; }

        public Task CompleteAsync(ReceiptBatch batch, CancellationToken cancellationToken)
        {
            (Completed, CallsWhenCompleted, CompletedOn) = (Completed + 1, Calls.Count, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            return completion is null ? Task.CompletedTask : Task.FromException(completion);
        }

        public async Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _now);
            lock (Calls)
            {
                MostAtOnce = Math.Max(MostAtOnce, running);
            }

            try
            {
                onApply?.Invoke(receipt);
                await Task.Delay(5, cancellationToken);
                Calls.Enqueue(receipt);
                return receipt.Reference == failOn ? throw new IOException("storage hiccup") : ReceiptEffect.Applied;
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }
}
