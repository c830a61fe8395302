using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Referrals.Contact;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Messages;
using Referrals.State;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// Sends a text message or a letter through GOV.UK Notify's REST API v2 (<c>POST /v2/notifications/sms</c> and
/// <c>/letter</c>) with a fresh JWT per request. Only answers that say nothing reached Notify are retried with backoff
/// (Retry-After honoured within the cap, <see cref="HttpRetries"/>): 429 and a connection that could not be made (DNS,
/// connect, TLS). 400 and 403 are permanent, with Notify's own error (it names the rule, e.g. "phone_number Not a UK
/// mobile number"; it goes to the state and the dead letter, never a log). A 5xx, a timeout or a lost connection after
/// the request was sent, and a 2xx without a notification id may all mean Notify took the message: unknown, never sent
/// again (the message becomes <c>Unconfirmed</c> for an operator), exactly as <see cref="SendGridGateway"/> does.
/// Redirects are not followed (<see cref="PipelineServices.OutboundHandler"/>). The text messages' and letters' gateway.
/// </summary>
/// <param name="tokens">The key of the opaque reference each send carries (issue 22); none (tests of the gateway alone): the readable reference of before it.</param>
public sealed partial class NotifyGateway(HttpClient http, IOptions<NotifyOptions> options, TimeProvider time, ILogger<NotifyGateway> logger, MessageToken? tokens = null) : IMessageGateway
{
    private readonly ResiliencePipeline<HttpTry<SendOutcome>> _retries = HttpRetries.Pipeline<SendOutcome>(options.Value.MaxAttempts, options.Value.MaxRetryDelay, time);

    public IReadOnlyList<Channel> Channels { get; } = [Channel.Sms, Channel.Letter];

    public TimeSpan ClaimLease => options.Value.ClaimLease;

    /// <summary>A text message or letter, with the opaque token that names its send (<see cref="MessageToken"/>) as its reference.</summary>
    public Task<SendOutcome> SendAsync(IEntitlementMessage message, int attempt, CancellationToken cancellationToken) =>
        SendAsync((NotifyMessage)message, ReferenceOf(tokens, message.CrimeReference, message.VictimId, message.Channel, attempt), cancellationToken);

    /// <summary>The reference of a send: its token, or without a key the readable reference of before issue 22.</summary>
    public static string ReferenceOf(MessageToken? tokens, string crimeReference, string victimId, Channel channel, int attempt) =>
        MessageToken.NotifyReference(tokens, crimeReference, victimId, channel, attempt);

    public async Task<SendOutcome> SendAsync(NotifyMessage message, string reference, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = Body(message, reference, settings);
        var path = message.Channel == Channel.Sms ? "v2/notifications/sms" : "v2/notifications/letter";
        return await HttpRetries.SendWithinBudgetAsync(_retries, settings, time, (attempt, token) => TryOnceAsync(path, body, message.Channel, attempt, settings, token), cancellationToken);
    }

    /// <summary>The request body: only the template's personalisation, the recipient and the opaque reference.</summary>
    public static JsonObject Body(NotifyMessage message, string reference, NotifyOptions settings)
    {
        var personalisation = new JsonObject();
        foreach (var (key, value) in message.Personalisation)
        {
            // Notify shows a list as bullet points, one per line.
            personalisation[key] = value is not string && value is IEnumerable<string> list
                ? new JsonArray([.. list.Select(item => JsonValue.Create(item))])
                : JsonValue.Create(value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        var body = new JsonObject
        {
            ["template_id"] = settings.TemplateId(message.Template),
            ["personalisation"] = personalisation,
            ["reference"] = reference,
        };
        if (message.Channel == Channel.Sms)
        {
            body["phone_number"] = message.PhoneNumber;
            if (!string.IsNullOrEmpty(settings.SmsSenderId))
            {
                body["sms_sender_id"] = settings.SmsSenderId;
            }
        }

        return body;
    }

    private async Task<HttpTry<SendOutcome>> TryOnceAsync(string path, JsonObject body, Channel channel, int attempt, NotifyOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(settings.BaseUrl.TrimEnd('/') + "/"), path))
            {
                Content = JsonContent.Create(body),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NotifyToken.Create(settings.ApiKey, time.GetUtcNow()));
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("referrals", "1"));
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                // Without Notify's id the message cannot be told apart from any other: it may have been taken, so unknown.
                return await IdOf(response, cancellationToken) is { } id
                    ? new(new SendOutcome.Accepted(id), false)
                    : new(new SendOutcome.Unknown($"Notify answered {status} without a notification id, so it may have accepted the message"), false);
            }

            if (status is >= 300 and < 400)
            {
                return new(new SendOutcome.Permanent($"Notify answered with a redirect ({status}); redirects are not followed, so nothing was sent elsewhere"), false);
            }

            if (status == 429)
            {
                // Notify's rate and daily limits refuse before anything is stored (notifications-api
                // app/v2/notifications/post_notifications.py line 115, check_rate_limiting, runs before persist_notification
                // at line 271; app/notifications/validators.py lines 120-122 raise RateLimitError or TooManyRequestsError,
                // both 429, app/v2/errors.py): nothing was created, so sending again is safe.
                var retryAfter = HttpRetries.RetryAfter(response.Headers, time.GetUtcNow()) ?? settings.MaxRetryDelay;
                LogTransient(logger, channel, status, attempt);
                return new(new SendOutcome.Transient($"Notify answered 429 {await ErrorOf(response, cancellationToken)}"), true, retryAfter);
            }

            if (status >= 500)
            {
                // Notify's error table says of a 500 "resend your notification" (notifications-tech-docs
                // source/documentation/error_tables/_generic_errors.md line 22). Not here: Notify has no idempotency key,
                // and it stores the notification and queues it for sending before it answers (notifications-api
                // app/v2/notifications/post_notifications.py lines 271 and 289, persist_notification then
                // send_notification_to_queue_detached), so a 5xx from anything after that (its own error, or a proxy's 502,
                // 503 or 504 in front of it) can come with the message already on its way. A resend would be a second
                // text or letter, so the outcome is unknown and an operator settles it (GET /v2/notifications?reference=…).
                return new(new SendOutcome.Unknown($"Notify answered {status}, so it may have accepted the message"), false);
            }

            return new(new SendOutcome.Permanent($"Notify refused the message: {status} {await ErrorOf(response, cancellationToken)}"), false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            LogTransient(logger, channel, 0, attempt);
            return new(new SendOutcome.Transient($"Notify could not be reached ({ex.HttpRequestError}): nothing was sent"), true);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The request may have been sent (a timeout, a connection dropped after sending): unknown, as for a 5xx.
            return new(new SendOutcome.Unknown($"the call to Notify ended without an answer ({ex.GetType().Name}), so it may have accepted the message"), false);
        }
    }

    /// <summary>Notify's notification id (a UUID), or null when the answer has none.</summary>
    private static async Task<string?> IdOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["id"]?.GetValue<string>() is { } id && Guid.TryParse(id, out var parsed)
                ? parsed.ToString("D")
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Notify's errors ("BadRequestError: ..."), at most 500 characters; the status alone when the body is not Notify's.</summary>
    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["errors"]?.AsArray()
                .Select(e => $"{e?["error"]?.GetValue<string>()}: {e?["message"]?.GetValue<string>()}");
            var text = errors is null ? response.StatusCode.ToString() : string.Join("; ", errors);
            return Rendering.SafeText.OneLine(text.Length > 500 ? text[..500] : text) ?? string.Empty;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return response.StatusCode.ToString();
        }
    }

    // Never Notify's answer nor any id: only the channel and the status.
    [LoggerMessage(Level = LogLevel.Warning, Message = "GOV.UK Notify did not accept a {Channel} message (status {Status}, attempt {Attempt}); retrying if the budget allows")]
    private static partial void LogTransient(ILogger logger, Channel channel, int status, int attempt);
}
