using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Referrals.StandIns.Notify;

/// <summary>One callback post and what became of it: the last HTTP status (0: no answer) and the tries made.</summary>
public sealed record NotifyCallbackResult(string Kind, string NotificationId, string Status, int HttpStatus, int Tries);

/// <summary>
/// Posts callbacks as GOV.UK Notify does (alphagov/notifications-api at commit 8ea236603c43fe96df83459e9b37e0a7c45769a2,
/// <c>app/celery/service_callback_tasks.py</c>): JSON with <c>Authorization: Bearer</c> and the service's token, a
/// 5-second timeout (line 164), and a retry only when the post got no answer, a 5xx or a 429 (lines 185-186), at most 5
/// retries (lines 30 and 57), 5 minutes apart (here <see cref="RetryDelay"/>, so a test does not wait); any other 4xx
/// is given up at once.
/// </summary>
public sealed class NotifyCallbackPoster(TimeSpan retryDelay, int maxRetries = 5, TimeSpan? timeout = null) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    public TimeSpan RetryDelay { get; } = retryDelay;

    /// <summary>Every callback posted, once it is finished with (answered with a 2xx, given up, or out of retries).</summary>
    public ConcurrentQueue<NotifyCallbackResult> Results { get; } = new();

    /// <summary>Posts in the background, as Notify's callback task does.</summary>
    public void Post(string url, string token, string kind, string notificationId, string status, JsonObject body)
    {
        var task = Task.Run(() => PostAsync(url, token, kind, notificationId, status, body));
        _pending.TryAdd(task, 0);
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Waits for the callbacks under way now; false when some are still going after <paramref name="timeout"/>.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_pending.IsEmpty && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        return _pending.IsEmpty;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Posts and waits, retrying as Notify does: the result of the last try.</summary>
    public async Task<NotifyCallbackResult> PostAsync(string url, string token, string kind, string notificationId, string status, JsonObject body)
    {
        var text = body.ToJsonString();
        var last = 0;
        for (var tries = 1; ; tries++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url)) { Content = new StringContent(text) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            bool retry;
            try
            {
                using var response = await _http.SendAsync(request);
                last = (int)response.StatusCode;
                retry = last is >= 500 or 429;
                if (response.IsSuccessStatusCode)
                {
                    retry = false;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // requests.RequestException that is not an HTTPError: no answer (connection refused, reset, timed out).
                last = 0;
                retry = true;
            }

            if (!retry || tries > maxRetries)
            {
                var result = new NotifyCallbackResult(kind, notificationId, status, last, tries);
                Results.Enqueue(result);
                return result;
            }

            await Task.Delay(RetryDelay);
        }
    }
}
