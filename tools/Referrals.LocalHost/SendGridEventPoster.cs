using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Referrals.Receipts;

namespace Referrals.LocalHost;

/// <summary>
/// The local SendGrid stand-in's Event Webhook: events are batched, signed like SendGrid's Signed Event Webhook
/// (ECDSA P-256 over the timestamp and the body) and posted in the background; a post that fails is retried a few
/// times, as SendGrid retries (here a moment apart rather than over 24 hours).
/// </summary>
internal sealed class SendGridEventPoster(ECDsa key) : IAsyncDisposable
{
    private const int MaxBatch = 50;
    private const int MaxTries = 4;

    private readonly Channel<JsonObject> _queue = Channel.CreateUnbounded<JsonObject>();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _pending;
    private int _posted;
    private int _failed;

    public int Posted => _posted;

    public int Failed => _failed;

    public void Start(string webhookUrl) => _loop ??= Task.Run(() => LoopAsync(new Uri(webhookUrl)));

    /// <summary>Nothing is queued until a webhook URL is set: with none, SendGrid posts no events either.</summary>
    public void Enqueue(IEnumerable<JsonObject> events)
    {
        if (_loop is null)
        {
            return;
        }

        foreach (var item in events)
        {
            Interlocked.Increment(ref _pending);
            _queue.Writer.TryWrite(item);
        }
    }

    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _pending) > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        return Volatile.Read(ref _pending) == 0;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped with events still queued: a run that ends does not wait for them.
            }
        }

        _stop.Dispose();
        _http.Dispose();
    }

    private async Task LoopAsync(Uri webhook)
    {
        var batch = new JsonArray();
        while (await _queue.Reader.WaitToReadAsync(_stop.Token))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var count = batch.Count;
            var ok = await PostAsync(webhook, System.Text.Encoding.UTF8.GetBytes(batch.ToJsonString()));
            Interlocked.Add(ref ok ? ref _posted : ref _failed, count);
            Interlocked.Add(ref _pending, -count);
            batch = [];
        }
    }

    private async Task<bool> PostAsync(Uri webhook, byte[] body)
    {
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            // Signed at each try, as SendGrid does: a retry carries a fresh timestamp.
            var (signature, timestamp) = SendGridSignature.Sign(key, body, DateTimeOffset.UtcNow);
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(SendGridSignature.SignatureHeader, signature);
            request.Headers.Add(SendGridSignature.TimestampHeader, timestamp);
            try
            {
                using var response = await _http.SendAsync(request, _stop.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not reachable this time: try again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _stop.Token);
        }

        return false;
    }
}
