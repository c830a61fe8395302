using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Referrals.StandIns.SendGrid;

/// <summary>What becomes of an email, by its recipient.</summary>
public enum SendGridOutcome
{
    /// <summary><c>processed</c>, then <c>delivered</c>.</summary>
    Delivered,

    /// <summary><c>processed</c>, then <c>bounce</c> (the receiving server refused it at once).</summary>
    Bounce,

    /// <summary>
    /// <c>processed</c>, <c>delivered</c>, then later an asynchronous <c>bounce</c> (the receiving server took it, then
    /// sent a bounce back), which carries no <c>sg_message_id</c>.
    /// </summary>
    DeliveredThenBounce,

    /// <summary><c>processed</c> alone: no final event (SendGrid still deferring it, or the event lost); its activity feed says <c>processed</c>.</summary>
    ProcessedOnly,
}

/// <summary>How the SendGrid stand-in is set up.</summary>
public sealed class SendGridStandInOptions
{
    /// <summary>By recipient; by default "bounce…" bounces, "late-bounce…" is delivered then bounces, "no-final…" is processed only, anything else is delivered.</summary>
    public Func<string, SendGridOutcome> Outcome { get; init; } = to =>
        to.StartsWith("late-bounce", StringComparison.OrdinalIgnoreCase) ? SendGridOutcome.DeliveredThenBounce
        : to.StartsWith("no-final", StringComparison.OrdinalIgnoreCase) ? SendGridOutcome.ProcessedOnly
        : to.StartsWith("bounce", StringComparison.OrdinalIgnoreCase) ? SendGridOutcome.Bounce
        : SendGridOutcome.Delivered;

    /// <summary>How many times each batch of events is posted (SendGrid may post an event more than once).</summary>
    public int EventCopies { get; init; } = 1;

    /// <summary>Leave out <c>processed</c> events (an account can turn them off).</summary>
    public bool WithholdProcessed { get; init; }

    /// <summary>How long after <c>delivered</c> an asynchronous bounce comes.</summary>
    public TimeSpan AsyncBounceAfter { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Between tries of a post the webhook did not take with a 2xx (SendGrid: increasing intervals for 24 hours).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public int MaxTries { get; init; } = 4;

    /// <summary>SendGrid gives no word on signing a retry afresh: by default a retried post keeps its first signature and timestamp.</summary>
    public bool ResignRetries { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>By recipient: its events never reach the webhook (lost posts); SendGrid's activity feed still has the email.</summary>
    public Func<string, bool> Unheard { get; init; } = _ => false;
}

/// <summary>
/// A SendGrid stand-in on loopback (Kestrel), sharing none of the pipeline's code: <c>POST /v3/mail/send</c> answered as
/// SendGrid answers it (202 and an X-Message-Id; 400 or 401 with SendGrid's <c>errors</c> body), and, once told where
/// (<see cref="PostEventsTo"/>), its Signed Event Webhook: each email's events, signed (<see cref="SendGridSigner"/>),
/// posted in batches with custom_args as top-level keys and categories as an array, a post that is not answered 2xx
/// retried, as SendGrid does. It can repeat events, withhold <c>processed</c>, bounce after <c>delivered</c>, lose a
/// recipient's events, and be told to misbehave (<see cref="Faults"/>). And its Email Activity API, <c>GET /v3/messages</c>
/// (<see cref="AnswerActivityAsync"/>), from its own record of the emails it accepted.
/// </summary>
public sealed partial class SendGridStandIn : IAsyncDisposable
{
    private const int MaxBatch = 50;

    private readonly SendGridStandInOptions _options;
    private readonly SendGridSigner _signer = new();
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string MessageId, string To, string Subject, string From, Dictionary<string, string> Args, SendGridOutcome Outcome, DateTimeOffset At)> _activity = new();
    private readonly Dictionary<string, (long Minute, int Count)> _activityCalls = new(StringComparer.Ordinal);
    private LoopbackServer? _server;
    private Task? _poster;
    private int _count;
    private int _pending;
    private int _posted;
    private int _failed;

    private SendGridStandIn(SendGridStandInOptions options) => _options = options;

    public string Url => _server?.Url ?? throw new InvalidOperationException("Not started.");

    /// <summary>The Event Webhook verification key of this stand-in.</summary>
    public string WebhookPublicKey => _signer.PublicKey;

    /// <summary>Told of each email accepted: the request, and the message id answered.</summary>
    public Func<JsonElement, string, Task>? OnAccepted { get; set; }

    /// <summary>What to do with the answer to an accepted email, by its first recipient.</summary>
    public Faults Faults { get; } = new();

    /// <summary>Every email accepted (202), in order: (message id, the request).</summary>
    public ConcurrentQueue<(string MessageId, JsonObject Mail)> Accepted { get; } = new();

    /// <summary>Every batch posted to the webhook, as signed, and the status of its last try (0: no answer).</summary>
    public ConcurrentQueue<(string Body, string Signature, string Timestamp, int Status)> Posts { get; } = new();

    /// <summary>Events posted and answered with 2xx, and events whose post failed after every try.</summary>
    public (int Posted, int Failed) Events => (_posted, _failed);

    public static async Task<SendGridStandIn> StartAsync(SendGridStandInOptions? options = null)
    {
        var standIn = new SendGridStandIn(options ?? new SendGridStandInOptions());
        standIn._server = await LoopbackServer.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    /// <summary>From now on, each email's events are posted, signed, to <paramref name="webhookUrl"/>.</summary>
    public void PostEventsTo(string webhookUrl) => _poster ??= Task.Run(() => PostLoopAsync(new Uri(webhookUrl)));

    /// <summary>Waits until every event so far has been posted (or given up on), at most <paramref name="timeout"/>.</summary>
    public async Task<bool> FlushEventsAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _pending) > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        return Volatile.Read(ref _pending) == 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _events.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_poster is not null)
        {
            await _poster.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
        _http.Dispose();
        _signer.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/v3/messages" && context.Request.Method == "GET")
        {
            await AnswerActivityAsync(context);
            return;
        }

        if (context.Request.Path != "/v3/mail/send")
        {
            await LoopbackServer.AnswerAsync(context, 404, Errors("not found"));
            return;
        }

        if (context.Request.Method != "POST")
        {
            await LoopbackServer.AnswerAsync(context, 405, Errors("method not allowed"));
            return;
        }

        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await LoopbackServer.AnswerAsync(context, 401, Errors("The provided authorization grant is invalid, expired, or revoked"));
            return;
        }

        // Everything is read and checked before anything is counted: a request SendGrid cannot read is a 400.
        using var json = LoopbackServer.ParseJson(await LoopbackServer.ReadBodyAsync(context.Request));
        if (Problem(json.RootElement) is { } problem)
        {
            await LoopbackServer.AnswerAsync(context, 400, Errors(problem.Message, problem.Field));
            return;
        }

        var mail = json.RootElement;
        var id = $"sg{Interlocked.Increment(ref _count).ToString("D4", CultureInfo.InvariantCulture)}{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        Accepted.Enqueue((id, JsonNode.Parse(mail.GetRawText())!.AsObject()));
        Record(mail, id);
        if (OnAccepted is { } accepted)
        {
            await accepted(mail, id);
        }

        QueueEvents(mail, id);
        var to = mail.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString();
        if (await Faults.ApplyAsync(context, Faults.For(to), Errors("Internal server error")))
        {
            return;
        }

        context.Response.StatusCode = 202;
        context.Response.Headers["X-Message-Id"] = id;
    }

    /// <summary>The first thing SendGrid's v3 Mail Send would refuse in the request (its field and message), or null.</summary>
    private static (string? Field, string Message)? Problem(JsonElement mail)
    {
        if (mail.ValueKind != JsonValueKind.Object)
        {
            return (null, "Bad Request");
        }

        if (!mail.TryGetProperty("personalizations", out var personalizations) || personalizations.ValueKind != JsonValueKind.Array || personalizations.GetArrayLength() == 0)
        {
            return ("personalizations", "The personalizations field is required and must have at least one personalization.");
        }

        foreach (var personalization in personalizations.EnumerateArray())
        {
            if (!personalization.TryGetProperty("to", out var to) || to.ValueKind != JsonValueKind.Array || to.GetArrayLength() == 0
                || to.EnumerateArray().Any(t => !t.TryGetProperty("email", out var email) || email.GetString() is not { } address || !address.Contains('@', StringComparison.Ordinal)))
            {
                return ("personalizations.0.to", "The to array is required for all personalization objects, and must have at least one email object with a valid email address.");
            }
        }

        if (!mail.TryGetProperty("from", out var from) || !from.TryGetProperty("email", out var fromEmail) || fromEmail.GetString() is not { Length: > 0 })
        {
            return ("from.email", "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.");
        }

        var hasSubject = mail.TryGetProperty("subject", out _) || personalizations.EnumerateArray().All(p => p.TryGetProperty("subject", out _));
        if (!hasSubject && !mail.TryGetProperty("template_id", out _))
        {
            return ("subject", "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.");
        }

        if (!mail.TryGetProperty("template_id", out _)
            && (!mail.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array || content.GetArrayLength() == 0
                || content.EnumerateArray().Any(c => !c.TryGetProperty("value", out var v) || v.GetString() is not { Length: > 0 })))
        {
            return ("content", "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.");
        }

        return null;
    }

    /// <summary>SendGrid's error body (its OpenAPI document's global_error_response_schema): a field only when there is one.</summary>
    private static string Errors(string message, string? field = null)
    {
        var error = new JsonObject { ["message"] = message };
        if (field is not null)
        {
            error["field"] = field;
        }

        return new JsonObject { ["errors"] = new JsonArray(error) }.ToJsonString();
    }

    /// <summary>What SendGrid's Event Webhook reports for one email: custom_args as top-level keys, categories as an array.</summary>
    private void QueueEvents(JsonElement mail, string id)
    {
        if (_poster is null)
        {
            return;
        }

        var personalization = mail.GetProperty("personalizations")[0];
        var to = personalization.GetProperty("to")[0].GetProperty("email").GetString()!;
        if (_options.Unheard(to))
        {
            return;
        }

        var outcome = _options.Outcome(to);
        var now = _options.Time.GetUtcNow();
        if (!_options.WithholdProcessed)
        {
            Queue(Event(mail, personalization, id, to, "processed", now, withMessageId: true));
        }

        if (outcome == SendGridOutcome.ProcessedOnly)
        {
            return;
        }

        if (outcome == SendGridOutcome.Bounce)
        {
            Queue(Bounce(Event(mail, personalization, id, to, "bounce", now, withMessageId: true)));
            return;
        }

        Queue(Event(mail, personalization, id, to, "delivered", now, withMessageId: true));
        if (outcome == SendGridOutcome.DeliveredThenBounce)
        {
            var late = Bounce(Event(mail, personalization, id, to, "bounce", now + _options.AsyncBounceAfter, withMessageId: false));
            Interlocked.Increment(ref _pending);
            _ = Task.Run(async () =>
            {
                await Task.Delay(_options.AsyncBounceAfter, _stop.Token);
                Interlocked.Decrement(ref _pending);
                Queue(late);
            });
        }
    }

    /// <summary>SendGrid's Email Activity feed keeps each email it accepted: its id, recipient, custom args and outcome.</summary>
    private void Record(JsonElement mail, string id)
    {
        var personalization = mail.GetProperty("personalizations")[0];
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { mail, personalization })
        {
            if (source.TryGetProperty("custom_args", out var custom) && custom.ValueKind == JsonValueKind.Object)
            {
                foreach (var arg in custom.EnumerateObject().Where(a => a.Value.ValueKind == JsonValueKind.String))
                {
                    args[arg.Name] = arg.Value.GetString()!;
                }
            }
        }

        var to = personalization.GetProperty("to")[0].GetProperty("email").GetString()!;
        var subject = (personalization.TryGetProperty("subject", out var s) ? s : mail.TryGetProperty("subject", out var t) ? t : default) is { ValueKind: JsonValueKind.String } text ? text.GetString()! : string.Empty;
        _activity.Enqueue(($"{id}.filterdrecv-5645d9c87f-abcde-1-64C3F1A2-3.0", to, subject, mail.GetProperty("from").GetProperty("email").GetString()!, args, _options.Outcome(to), _options.Time.GetUtcNow()));
    }

    /// <summary>
    /// <c>GET /v3/messages?query=…&amp;limit=…</c> as SendGrid answers it (twilio/sendgrid-oai
    /// <c>spec/yaml/tsg_email_activity_v3.yaml</c> at 380cb65): 401 without a key; 429 beyond 6 requests a minute per key
    /// (https://www.twilio.com/docs/sendgrid/api-reference/email-activity), with the <c>X-RateLimit-*</c> headers of every
    /// v3 answer; 400 with SendGrid's <c>errors</c> body for a query it cannot read (the stand-in reads only
    /// <c>unique_args['name']="value"</c> and <c>msg_id="value"</c>) or a limit outside 1-1000; else
    /// <c>{"messages": [...]}</c>, newest first, each <c>delivered</c>, <c>not_delivered</c> (a bounce) or <c>processed</c> as of now, dated
    /// by <c>last_event_time</c> (when it was accepted).
    /// </summary>
    private async Task AnswerActivityAsync(HttpContext context)
    {
        var key = context.Request.Headers.Authorization.ToString();
        if (!key.StartsWith("Bearer ", StringComparison.Ordinal) || key.Length <= "Bearer ".Length)
        {
            await LoopbackServer.AnswerAsync(context, 401, Errors("authorization required"));
            return;
        }

        var now = _options.Time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        int count;
        lock (_activityCalls)
        {
            count = _activityCalls.TryGetValue(key, out var calls) && calls.Minute == minute ? calls.Count + 1 : 1;
            _activityCalls[key] = (minute, count);
        }

        context.Response.Headers["X-RateLimit-Limit"] = "6";
        context.Response.Headers["X-RateLimit-Remaining"] = Math.Max(0, 6 - count).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-RateLimit-Reset"] = ((minute + 1) * 60).ToString(CultureInfo.InvariantCulture);
        if (count > 6)
        {
            await LoopbackServer.AnswerAsync(context, 429, Errors("too many requests"));
            return;
        }

        var limitText = context.Request.Query["limit"].ToString();
        var limit = 10;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            await LoopbackServer.AnswerAsync(context, 400, Errors("limit must be greater than 0 and less than or equal to 1000", "limit"));
            return;
        }

        if (ActivityQuery().Match(context.Request.Query["query"].ToString()) is not { Success: true } query)
        {
            await LoopbackServer.AnswerAsync(context, 400, Errors("invalid syntax: the query is not one this stand-in reads"));
            return;
        }

        var (name, value) = (query.Groups["arg"].Success ? query.Groups["arg"].Value : null, query.Groups["value"].Value);
        var messages = new JsonArray();
        foreach (var m in _activity.Reverse().Where(m => name is null ? m.MessageId == value : m.Args.TryGetValue(name, out var v) && v == value).Take(limit))
        {
            var bounced = m.Outcome == SendGridOutcome.Bounce || (m.Outcome == SendGridOutcome.DeliveredThenBounce && now >= m.At + _options.AsyncBounceAfter);
            messages.Add(new JsonObject
            {
                ["from_email"] = m.From,
                ["msg_id"] = m.MessageId,
                ["subject"] = m.Subject,
                ["to_email"] = m.To,
                ["status"] = bounced ? "not_delivered" : m.Outcome == SendGridOutcome.ProcessedOnly ? "processed" : "delivered",
                ["opens_count"] = 0,
                ["clicks_count"] = 0,
                ["last_event_time"] = m.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
        }

        await LoopbackServer.AnswerAsync(context, 200, new JsonObject { ["messages"] = messages }.ToJsonString());
    }

    [System.Text.RegularExpressions.GeneratedRegex("""^\(?\s*(?:unique_args\['(?<arg>[A-Za-z0-9_]{1,100})'\]|msg_id)\s*=\s*"(?<value>[^"]{0,1024})"\s*\)?$""")]
    private static partial System.Text.RegularExpressions.Regex ActivityQuery();

    private static JsonObject Bounce(JsonObject item)
    {
        item["type"] = "bounce";
        item["status"] = "5.1.1";
        item["reason"] = "550 5.1.1 The email account that you tried to reach does not exist.";
        return item;
    }

    private static JsonObject Event(JsonElement mail, JsonElement personalization, string id, string to, string type, DateTimeOffset at, bool withMessageId)
    {
        var item = new JsonObject
        {
            ["email"] = to,
            ["timestamp"] = at.ToUnixTimeSeconds(),
            ["event"] = type,
            ["sg_event_id"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        };
        if (withMessageId)
        {
            item["smtp-id"] = $"<{id}@ismtpd0001p1lon1.sendgrid.net>";
            item["sg_message_id"] = $"{id}.filterdrecv-5645d9c87f-abcde-1-64C3F1A2-3.0";
        }

        if (type == "delivered")
        {
            item["response"] = "250 OK";
        }

        if (mail.TryGetProperty("categories", out var categories))
        {
            item["category"] = JsonNode.Parse(categories.GetRawText());
        }

        if (personalization.TryGetProperty("custom_args", out var args))
        {
            foreach (var arg in args.EnumerateObject())
            {
                item[arg.Name] = arg.Value.GetString();
            }
        }

        return item;
    }

    private void Queue(JsonObject item)
    {
        for (var copy = 0; copy < _options.EventCopies; copy++)
        {
            Interlocked.Increment(ref _pending);
            _events.Writer.TryWrite(copy == 0 ? item : (JsonObject)item.DeepClone());
        }
    }

    private async Task PostLoopAsync(Uri webhook)
    {
        try
        {
            while (await _events.Reader.WaitToReadAsync(_stop.Token))
            {
                var batch = new JsonArray();
                while (batch.Count < MaxBatch && _events.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                var count = batch.Count;
                var ok = await PostAsync(webhook, Encoding.UTF8.GetBytes(batch.ToJsonString()));
                Interlocked.Add(ref ok ? ref _posted : ref _failed, count);
                Interlocked.Add(ref _pending, -count);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with events still queued: a run that ends does not wait for them.
        }
    }

    private async Task<bool> PostAsync(Uri webhook, byte[] body)
    {
        var (signature, timestamp) = _signer.Sign(body, _options.Time.GetUtcNow());
        var status = 0;
        for (var attempt = 1; attempt <= _options.MaxTries; attempt++)
        {
            if (attempt > 1 && _options.ResignRetries)
            {
                (signature, timestamp) = _signer.Sign(body, _options.Time.GetUtcNow());
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(SendGridSigner.SignatureHeader, signature);
            request.Headers.Add(SendGridSigner.TimestampHeader, timestamp);
            try
            {
                using var response = await _http.SendAsync(request, _stop.Token);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    Posts.Enqueue((Encoding.UTF8.GetString(body), signature, timestamp, status));
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            await Task.Delay(_options.RetryDelay * attempt, _stop.Token);
        }

        Posts.Enqueue((Encoding.UTF8.GetString(body), signature, timestamp, status));
        return false;
    }
}
