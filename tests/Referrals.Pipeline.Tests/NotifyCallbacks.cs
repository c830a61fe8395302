using System.Globalization;
using System.Text.Json.Nodes;
using Referrals.StandIns.Notify;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// A delivery receipt as GOV.UK Notify posts it (its "Callbacks" documentation and service_callback_tasks.py lines
/// 57-84): every value a string, except <c>template_version</c>; times as <c>2017-05-14T12:15:30.000000Z</c>.
/// </summary>
public sealed record NotifyCallback(
    Guid Id, string? Reference, string To, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, DateTimeOffset? SentAt,
    string NotificationType, Guid TemplateId, int TemplateVersion)
{
    public JsonObject ToNode() => new()
    {
        ["id"] = Id.ToString("D"),
        ["reference"] = Reference,
        ["to"] = To,
        ["status"] = Status,
        ["created_at"] = Time(CreatedAt),
        ["completed_at"] = Time(CompletedAt),
        ["sent_at"] = Time(SentAt),
        ["notification_type"] = NotificationType,
        ["template_id"] = TemplateId.ToString("D"),
        ["template_version"] = TemplateVersion,
    };

    public byte[] ToJson() => System.Text.Encoding.UTF8.GetBytes(ToNode().ToJsonString());

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Posts receipts to a callback URL with the Notify stand-in's poster (Notify's token, timeout and retry rules).</summary>
public sealed class NotifyCallbacks(string callbackUrl, string bearerToken, int maxRetries = 5) : IDisposable
{
    private readonly NotifyCallbackPoster _poster = new(TimeSpan.FromMilliseconds(50), maxRetries);

    /// <summary>Posts the receipt; the status of the last try (0 when none got an answer).</summary>
    public async Task<int> PostAsync(NotifyCallback callback) =>
        (await _poster.PostAsync(callbackUrl, bearerToken, "delivery-status", callback.Id.ToString("D"), callback.Status, callback.ToNode())).HttpStatus;

    public void Dispose() => _poster.Dispose();
}
