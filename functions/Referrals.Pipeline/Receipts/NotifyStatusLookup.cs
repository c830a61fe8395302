using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>What Notify said when asked for a message's status.</summary>
public abstract record StatusLookup
{
    /// <summary>Notify's answer: a receipt (final or not), or why it changes nothing.</summary>
    public sealed record Found(NotifyReport Report) : StatusLookup;

    /// <summary>404: Notify does not know the id, or the message is past its retention period (7 days by default).</summary>
    public sealed record NotFound : StatusLookup;

    /// <summary>Anything else; <paramref name="WorthRetrying"/> for 429, 5xx and a call that got no answer.</summary>
    public sealed record Failed(string Reason, bool WorthRetrying) : StatusLookup;
}

/// <summary>What Notify said when asked for the notifications with one reference.</summary>
public abstract record ReferenceLookup
{
    /// <summary>Notify's records answered: found (the newest with that reference), or not found.</summary>
    public sealed record Answered(State.NotifyRecord Record) : ReferenceLookup;

    /// <summary>No usable answer (a 4xx, a 5xx, no answer, not Notify's shape): asked again on the next run.</summary>
    public sealed record Failed(string Reason) : ReferenceLookup;
}

/// <summary>
/// <c>GET /v2/notifications/{id}</c> on GOV.UK Notify's REST API: the status of one message, for the timer that settles
/// messages whose callback never came. Authenticated like every Notify call, with a JWT (HS256) whose <c>iss</c> is the
/// service id and <c>iat</c> now, signed with the API key's secret part. A redirect is never followed.
/// </summary>
public sealed class NotifyStatusLookup(HttpClient http, IOptions<Configuration.NotifyOptions> options, TimeProvider time)
{
    /// <summary>
    /// <c>GET /v2/notifications?reference=</c> (alphagov/notifications-api app/v2/notifications/get_notifications.py lines
    /// 74-120 at 8ea2366): the service's notifications with that client reference, newest first, sent with a key of the same
    /// type as the one asking (app/dao/notifications_dao.py lines 345-351), and only while Notify keeps them (its nightly
    /// task deletes them after the service's retention, 7 days by default: app/celery/nightly_tasks.py lines 224-269). An
    /// empty list is "not found". A 404 is not Notify's answer to this question (it answers an empty list), so it is a failure.
    /// </summary>
    public async Task<ReferenceLookup> FindByReferenceAsync(string reference, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (NotifyApiKey.TryParse(settings.ApiKey) is not { } key)
        {
            return new ReferenceLookup.Failed("Notify:ApiKey is not a Notify API key");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{settings.BaseUrl.TrimEnd('/')}/v2/notifications?reference={Uri.EscapeDataString(reference)}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Token(time.GetUtcNow()));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ReferenceLookup.Failed($"Notify answered {(int)response.StatusCode} {response.StatusCode}");
            }

            return await ReceiptBody.ReadAsync(response.Content, http.Timeout, cancellationToken) is { } body && NotifyReports.ParseList(body, reference) is { } record
                ? new ReferenceLookup.Answered(record)
                : new ReferenceLookup.Failed("Notify's answer is not a list of notifications");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ReferenceLookup.Failed($"the call to Notify ended without an answer ({ex.GetType().Name})");
        }
    }

    public async Task<StatusLookup> GetAsync(string notificationId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(notificationId, out var id))
        {
            return new StatusLookup.Failed("the notification id is not a UUID", false);
        }

        var settings = options.Value;
        if (NotifyApiKey.TryParse(settings.ApiKey) is not { } key)
        {
            return new StatusLookup.Failed("Notify:ApiKey is not a Notify API key", false);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{settings.BaseUrl.TrimEnd('/')}/v2/notifications/{id:D}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Token(time.GetUtcNow()));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await ReceiptBody.ReadAsync(response.Content, http.Timeout, cancellationToken);
                var parsed = body is not null ? NotifyReports.ParseLookup(body) : Parsed.Refused<NotifyReport>("the answer is larger than 1 MiB");
                return parsed.Value is { } report ? new StatusLookup.Found(report) : new StatusLookup.Failed($"Notify's answer is not a notification: {parsed.Problem}", false);
            }

            return response.StatusCode == HttpStatusCode.NotFound
                ? new StatusLookup.NotFound()
                : new StatusLookup.Failed($"Notify answered {status} {response.StatusCode}", status is 429 or >= 500);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new StatusLookup.Failed($"the call to Notify ended without an answer ({ex.GetType().Name})", true);
        }
    }
}

/// <summary>A Notify API key, <c>{key name}-{service id}-{secret key}</c>, and the JWT it makes.</summary>
public sealed record NotifyApiKey(string ServiceId, string Secret)
{
    private const int UuidLength = 36;

    public static NotifyApiKey? TryParse(string? apiKey)
    {
        // The key name may itself contain hyphens: the two UUIDs are the last 73 characters.
        if (apiKey is null || apiKey.Length < (2 * UuidLength) + 1
            || !Guid.TryParseExact(apiKey[^UuidLength..], "D", out _)
            || !Guid.TryParseExact(apiKey[^((2 * UuidLength) + 1)..^(UuidLength + 1)], "D", out _))
        {
            return null;
        }

        return new NotifyApiKey(apiKey[^((2 * UuidLength) + 1)..^(UuidLength + 1)], apiKey[^UuidLength..]);
    }

    /// <summary>Notify refuses a token whose <c>iat</c> is more than 30 seconds from its clock: one per call.</summary>
    public string Token(DateTimeOffset now)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "HS256" }));
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { iss = ServiceId, iat = now.ToUnixTimeSeconds() }));
        var signature = Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes($"{header}.{claims}")));
        return $"{header}.{claims}.{signature}";
    }

    public override string ToString() => $"Notify API key for service {ServiceId}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
