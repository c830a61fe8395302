using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Referrals.LocalHost;

/// <summary>
/// A delivery receipt as GOV.UK Notify posts it (its "Callbacks" documentation): every value a string, except
/// <c>template_version</c>; times as <c>2017-05-14T12:15:30.000000Z</c>. Notify documents receipts for emails and text
/// messages; a letter's status comes from <c>GET /v2/notifications/{id}</c>.
/// </summary>
public sealed record NotifyCallback(
    Guid Id, string? Reference, string To, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, DateTimeOffset? SentAt,
    string NotificationType, Guid TemplateId, int TemplateVersion)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Body(
        Id.ToString("D"), Reference, To, Status, Time(CreatedAt), Time(CompletedAt), Time(SentAt), NotificationType, TemplateId.ToString("D"), TemplateVersion));

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(at))]
    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private sealed record Body(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("reference")] string? Reference,
        [property: JsonPropertyName("to")] string To,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("created_at")] string CreatedAt,
        [property: JsonPropertyName("completed_at")] string? CompletedAt,
        [property: JsonPropertyName("sent_at")] string? SentAt,
        [property: JsonPropertyName("notification_type")] string NotificationType,
        [property: JsonPropertyName("template_id")] string TemplateId,
        [property: JsonPropertyName("template_version")] int TemplateVersion);
}

/// <summary>
/// Posts delivery receipts to a callback URL the way GOV.UK Notify does: JSON, <c>Authorization: Bearer</c> with the
/// token the service configured, and a retry when the post fails (Notify: every 5 minutes, at most 5 times; here
/// <paramref name="retryDelay"/> apart, so a local run does not wait). For the local Notify stand-in and the tests.
/// </summary>
public sealed class NotifyCallbacks(string callbackUrl, string bearerToken, TimeSpan? retryDelay = null, int maxRetries = 5) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TimeSpan _retryDelay = retryDelay ?? TimeSpan.FromMilliseconds(200);

    /// <summary>Posts the receipt; the status of the last try (0 when none got an answer).</summary>
    public async Task<int> PostAsync(NotifyCallback callback, CancellationToken cancellationToken = default)
    {
        var body = callback.ToJson();
        var status = 0;
        for (var attempt = 0; attempt <= maxRetries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(_retryDelay, cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(callbackUrl)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return status;
                }
            }
            catch (HttpRequestException)
            {
                status = 0;
            }
        }

        return status;
    }

    public void Dispose() => _http.Dispose();
}
