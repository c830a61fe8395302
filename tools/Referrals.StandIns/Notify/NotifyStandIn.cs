using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Referrals.StandIns.Notify;

/// <summary>How the GOV.UK Notify stand-in is set up; every wait is short by default and set shorter in tests.</summary>
public sealed class NotifyStandInOptions
{
    public const string DefaultServiceId = "6f0e9a7c-3b1d-4c52-9e6a-1d2c3b4a5f60";
    public const string DefaultSecret = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    public string ServiceId { get; init; } = DefaultServiceId;

    public string Secret { get; init; } = DefaultSecret;

    /// <summary>The templates the service has, by id.</summary>
    public IReadOnlyDictionary<string, NotifyStandInTemplate> Templates { get; init; } = new Dictionary<string, NotifyStandInTemplate>();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long after it is accepted a text message gets its final status (and its callback).</summary>
    public TimeSpan TextOutcomeAfter { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The simulated print run: how long a letter stays <c>accepted</c> before it is <c>received</c>.</summary>
    public TimeSpan PrintRunAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What the print run makes of a letter, by its address lines (one a line): <c>delivered</c> (the API's
    /// <c>received</c>) by default, or a failure Notify reports for letters (<c>cancelled</c>, <c>technical-failure</c>,
    /// <c>permanent-failure</c>, <c>validation-failed</c>: app/constants.py lines 4-17 at the commit above, shown as they are
    /// by models.py get_letter_status). Notify has no test addresses for these: a stand-in's own choice, for tests.
    /// </summary>
    public Func<string, string> LetterOutcome { get; init; } = _ => "delivered";

    /// <summary>Notify: 5 minutes between retries of a callback.</summary>
    public TimeSpan CallbackRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times each delivery callback is posted (a callback whose answer was lost comes again).</summary>
    public int CallbackCopies { get; init; } = 1;

    /// <summary>The sender Notify shows as <c>from_number</c> (the service's text sender).</summary>
    public string SmsSender { get; init; } = "GOVUK";

    /// <summary>
    /// The service's data retention in days (Notify's default 7, app/celery/nightly_tasks.py lines 224-269 at the commit
    /// above): a notification created before London midnight that many days ago is gone (moved to the history table), so
    /// neither <c>GET /v2/notifications/{id}</c> (404) nor <c>?reference=</c> (an empty list) finds it.
    /// </summary>
    public int RetentionDays { get; init; } = 7;

    /// <summary>The service's other API keys, by secret, with their key type (<c>team</c>, <c>test</c>); <see cref="Secret"/> is a <c>normal</c> key.</summary>
    public IReadOnlyDictionary<string, string> OtherKeys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A notification as the stand-in holds it, with every status it has had, first first (as the API shows them).</summary>
/// <param name="Request">The request as sent (personal data: for tests and the local outbox only).</param>
/// <param name="Pages">What Notify rendered, each half of a letter with its language (a bilingual letter's Welsh first).</param>
public sealed record NotifyNotification(
    string Id, string Type, string Reference, string TemplateId, string To, string Body, string? Subject, DateTimeOffset CreatedAt,
    IReadOnlyList<(string Status, DateTimeOffset At)> Statuses, JsonObject Request, IReadOnlyList<(string Language, string Text)> Pages)
{
    /// <summary>The status the API shows now.</summary>
    public string Status => Statuses[^1].Status;

    /// <summary>The text as Notify sends it, or the letter's English body: the old name.</summary>
    public string Content => Type == "sms" ? Body : string.Join("\n\n", Pages.Select(p => p.Text));
}

/// <summary>
/// A GOV.UK Notify stand-in on loopback (Kestrel), written from Notify's own code (alphagov/notifications-api at commit
/// 8ea236603c43fe96df83459e9b37e0a7c45769a2 and alphagov/notifications-utils at a9af02ae77c034bb6b20e7a01909e2c789ae3ddf)
/// and sharing none of the pipeline's: <c>POST /v2/notifications/sms</c> and <c>/letter</c> checked as Notify checks them
/// (its JWT, the request schema, the template, the personalisation, the number or the address, a text's length) and
/// answered with Notify's bodies; <c>GET /v2/notifications/{id}</c> and <c>GET /v2/notifications?reference=</c> with
/// Notify's full shapes (<c>Notification.serialize_with_cost_data</c>). A text message goes <c>created</c> → its final
/// status after <see cref="NotifyStandInOptions.TextOutcomeAfter"/>, following Notify's research-mode numbers
/// (app/celery/research_mode_tasks.py lines 30-32: 07700900002 fails for good, 07700900003 fails temporarily, any other is
/// delivered), and its delivery callback is posted; a letter is <c>accepted</c> until the print run, then
/// <c>received</c>, with no delivery callback (Notify sends those for emails and texts only), and can be returned
/// (<see cref="ReturnLetter"/>) through the returned-letter callback. Notify's smoke-test numbers are answered 201 and
/// neither stored nor reported on (post_notifications.py line 244, config.py line 535).
/// </summary>
public sealed class NotifyStandIn : IAsyncDisposable
{
    /// <summary>config.py line 535, as normalised numbers.</summary>
    public static readonly IReadOnlySet<string> SmokeTestNumbers = new HashSet<string>(StringComparer.Ordinal) { "447700900000", "447700900111", "447700900222" };

    private readonly NotifyStandInOptions _options;
    private readonly ConcurrentDictionary<string, Stored> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Stored> _inOrder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _timers = new();
    private readonly NotifyCallbackPoster _callbacks;
    private LoopbackServer? _server;
    private int _smokeTests;
    private (string? Delivery, string? ReturnedLetter, string Token, string ReturnedLetterToken) _callbackTo = (null, null, string.Empty, string.Empty);

    private NotifyStandIn(NotifyStandInOptions options)
    {
        _options = options;
        _callbacks = new NotifyCallbackPoster(options.CallbackRetryDelay);
    }

    public string Url => _server?.Url ?? throw new InvalidOperationException("Not started.");

    /// <summary>The API key a client uses: <c>{name}-{service id}-{secret}</c>.</summary>
    public string ApiKey => $"local_standin-{_options.ServiceId}-{_options.Secret}";

    /// <summary>The API key of one of <see cref="NotifyStandInOptions.OtherKeys"/>.</summary>
    public string ApiKeyWith(string secret) => $"other_key-{_options.ServiceId}-{secret}";

    /// <summary>Told of each notification it stored, once the answer is decided (before any fault is applied).</summary>
    public Func<NotifyNotification, Task>? OnAccepted { get; set; }

    /// <summary>What to do with the answer to an accepted request, by its reference.</summary>
    public Faults Faults { get; } = new();

    /// <summary>Everything stored, in order, as it is now.</summary>
    public IReadOnlyList<NotifyNotification> Accepted => [.. _inOrder.Select(s => s.Snapshot())];

    /// <summary>Every request, as (method and path, status): what a test asserts on.</summary>
    public ConcurrentQueue<(string Path, int Status)> Requests { get; } = new();

    /// <summary>The callbacks posted and what became of each.</summary>
    public IReadOnlyCollection<NotifyCallbackResult> Callbacks => _callbacks.Results;

    /// <summary>Requests to smoke-test numbers: answered, never stored.</summary>
    public int SmokeTests => _smokeTests;

    public static async Task<NotifyStandIn> StartAsync(NotifyStandInOptions options)
    {
        var standIn = new NotifyStandIn(options);
        standIn._server = await LoopbackServer.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    /// <summary>
    /// The service's callback settings, as set up in Notify: where delivery receipts and returned letters are posted, with
    /// the bearer token of each (Notify keeps one per callback, models.py ServiceCallbackApi; the returned letters' defaults to
    /// the delivery receipts'). Until then nothing is posted.
    /// </summary>
    public void SendCallbacksTo(string? deliveryUrl, string token, string? returnedLetterUrl = null, string? returnedLetterToken = null) =>
        _callbackTo = (deliveryUrl, returnedLetterUrl, token, returnedLetterToken ?? token);

    /// <summary>Waits until every status change and callback under way has happened; false on timeout.</summary>
    public async Task<bool> SettleAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_timers.IsEmpty && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        return _timers.IsEmpty && await _callbacks.DrainAsync(until - DateTime.UtcNow);
    }

    /// <summary>
    /// Returns a printed letter (Royal Mail sent it back): its status becomes <c>returned-letter</c> (the API still says
    /// <c>received</c>, models.py get_letter_status) and the returned-letter callback is posted (service_callback_tasks.py
    /// lines 30-54, with create_returned_letter_callback_data's fields, lines 243-266, for a letter sent by API).
    /// </summary>
    public bool ReturnLetter(string notificationId)
    {
        if (!_byId.TryGetValue(notificationId, out var stored) || stored.Type != "letter")
        {
            return false;
        }

        stored.Move("returned-letter", _options.Time.GetUtcNow());
        if (_callbackTo.ReturnedLetter is { } url)
        {
            var template = _options.Templates[stored.TemplateId];
            _callbacks.Post(url, _callbackTo.ReturnedLetterToken, "returned-letter", stored.Id, "returned-letter", new JsonObject
            {
                ["notification_id"] = stored.Id,
                ["reference"] = stored.Reference.Length > 0 ? stored.Reference : null,
                ["date_sent"] = Time(stored.CreatedAt),
                ["sent_by"] = "API",
                ["template_name"] = "Letter",
                ["template_id"] = stored.TemplateId,
                ["template_version"] = template.Version,
                ["spreadsheet_file_name"] = null,
                ["spreadsheet_row_number"] = null,
                ["upload_letter_file_name"] = null,
            });
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await Task.WhenAll(_timers.Keys).ContinueWith(_ => { }, TaskScheduler.Default);
        _callbacks.Dispose();
        _stop.Dispose();
    }

    /// <summary>Notify's timestamps: DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S.%fZ".</summary>
    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var method = context.Request.Method;
        var (authError, keyType) = Authorise(context.Request.Headers.Authorization.ToString());
        var (status, body, stored) = authError is not null ? (authError.Status, authError.ToJson(), null)
            : (method, path) switch
            {
                ("POST", "/v2/notifications/sms") => await AcceptAsync("sms", context, keyType),
                ("POST", "/v2/notifications/letter") => await AcceptAsync("letter", context, keyType),
                ("GET", "/v2/notifications") => ListAnswer(context.Request.Query, keyType),
                ("GET", _) when path.StartsWith("/v2/notifications/", StringComparison.Ordinal) => OneAnswer(path["/v2/notifications/".Length..]),
                _ => (404, new NotifyError(404, "ResourceNotFound", "The requested URL was not found on the server.").ToJson(), (Stored?)null),
            };
        Requests.Enqueue(($"{method} {path}", status));
        if (stored is not null && OnAccepted is { } accepted)
        {
            await accepted(stored.Snapshot());
        }

        if (method == "POST" && status == 201 && await Faults.ApplyAsync(context, Faults.For(body["reference"]?.GetValue<string>()),
            """{"status_code":{status},"errors":[{"error":"Exception","message":"Internal server error"}]}"""))
        {
            return;
        }

        await LoopbackServer.AnswerAsync(context, status, body.ToJsonString());
    }

    /// <summary>
    /// Null when the bearer token is one Notify accepts, else Notify's answer, in the order of its checks
    /// (app/authentication/auth.py lines 86-192, at the commit above): a Bearer token; its <c>iss</c>, a UUID naming the
    /// service; an HS256 JWT signed with one of the service's keys; its <c>iat</c> within 30 seconds of now.
    /// </summary>
    private (NotifyError? Error, string KeyType) Authorise(string header)
    {
        var keyType = "normal";
        var error = Check(header, ref keyType);
        return (error, keyType);
    }

    private NotifyError? Check(string header, ref string keyType)
    {
        const string General = "Invalid token: make sure your API token matches the example at https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header";
        if (header.Length == 0)
        {
            return new NotifyError(401, "AuthError", "Unauthorized: authentication token must be provided");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new NotifyError(401, "AuthError", "Unauthorized: authentication bearer scheme must be used");
        }

        var parts = header[7..].Split('.');
        JsonNode? head, claims;
        try
        {
            head = parts.Length == 3 ? JsonNode.Parse(FromBase64Url(parts[0])) : throw new FormatException();
            claims = JsonNode.Parse(FromBase64Url(parts[1]));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return new NotifyError(403, "AuthError", General);
        }

        if (claims?["iss"] is not JsonValue issuer || issuer.GetValueKind() != JsonValueKind.String)
        {
            return new NotifyError(403, "AuthError", "Invalid token: iss field not provided");
        }

        if (!Guid.TryParse(issuer.GetValue<string>(), out var service))
        {
            return new NotifyError(403, "AuthError", "Invalid token: service id is not the right data type");
        }

        if (service.ToString("D") != _options.ServiceId)
        {
            return new NotifyError(403, "AuthError", "Invalid token: service not found");
        }

        // The token is checked against each of the service's keys (auth.py); the one that signed it gives the key type.
        var keys = new[] { (Secret: _options.Secret, Type: "normal") }.Concat(_options.OtherKeys.Select(k => (Secret: k.Key, Type: k.Value)));
        var signer = keys.Where(k => CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(k.Secret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_')),
            Encoding.ASCII.GetBytes(parts[2]))).Select(k => k.Type).FirstOrDefault();
        if (signer is null)
        {
            return new NotifyError(403, "AuthError", "Invalid token: API key not found");
        }

        keyType = signer;

        if (head?["alg"]?.GetValue<string>() != "HS256")
        {
            return new NotifyError(403, "AuthError", "Invalid token: algorithm used is not HS256");
        }

        try
        {
            var issued = DateTimeOffset.FromUnixTimeMilliseconds((long)(claims["iat"]!.GetValue<JsonElement>().GetDouble() * 1000));
            return (_options.Time.GetUtcNow() - issued).Duration() > TimeSpan.FromSeconds(30)
                ? new NotifyError(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
                : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException or ArgumentOutOfRangeException)
        {
            return new NotifyError(403, "AuthError", General);
        }
    }

    private async Task<(int, JsonObject, Stored?)> AcceptAsync(string type, HttpContext context, string keyType)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(await LoopbackServer.ReadBodyAsync(context.Request)) as JsonObject ?? throw new JsonException();
        }
        catch (Exception ex) when (ex is JsonException or BadRequestException)
        {
            return (400, new NotifyError(400, "BadRequestError", "Invalid JSON supplied in POST data").ToJson(), null);
        }

        if (NotifyRequestSchema.Check(type, root) is { } schemaError)
        {
            return (400, schemaError.ToJson(), null);
        }

        var templateId = root["template_id"]!.GetValue<string>();
        if (!_options.Templates.TryGetValue(templateId, out var template))
        {
            return (400, new NotifyError(400, "BadRequestError", "Template not found").ToJson(), null);
        }

        if (template.Type != type)
        {
            // validators.py check_template_is_for_notification_type.
            return (400, new NotifyError(400, "BadRequestError", $"{type} template is not suitable for {template.Type} notification").ToJson(), null);
        }

        var personalisation = root["personalisation"] as JsonObject ?? [];
        if (NotifyTemplates.Missing(template, personalisation) is { Count: > 0 } missing)
        {
            return (400, new NotifyError(400, "BadRequestError", $"Missing personalisation: {string.Join(", ", missing)}").ToJson(), null);
        }

        var reference = root["reference"]?.GetValue<string>() ?? string.Empty;
        var now = _options.Time.GetUtcNow();
        var id = Guid.NewGuid().ToString("D");
        if (type == "sms")
        {
            var phone = root["phone_number"]!.GetValue<string>();
            var (normalised, phoneError) = NotifyPhone.Check(phone);
            if (phoneError is not null)
            {
                return (400, phoneError.ToJson(), null);
            }

            var body = NotifyTemplates.SmsBody(template.Content, personalisation);
            if (body.Length > NotifyTemplates.SmsCharacterLimit)
            {
                return (400, new NotifyError(400, "BadRequestError",
                    $"Your message is too long. Text messages cannot be longer than {NotifyTemplates.SmsCharacterLimit} characters. Your message is {body.Length} characters long.").ToJson(), null);
            }

            var answer = Answer(id, reference, templateId, template, new JsonObject { ["body"] = body, ["from_number"] = _options.SmsSender });
            if (SmokeTestNumbers.Contains(normalised!))
            {
                Interlocked.Increment(ref _smokeTests);
                return (201, answer, null);
            }

            var stored = Store(new Stored(id, type, reference, templateId, phone, body, null, now, root, [("en", body)], "created", keyType));
            var final = normalised!.EndsWith("7700900002", StringComparison.Ordinal) ? "permanent-failure"
                : normalised.EndsWith("7700900003", StringComparison.Ordinal) ? "temporary-failure"
                : "delivered";
            After(_options.TextOutcomeAfter, () => Settle(stored, final));
            return (201, answer, stored);
        }

        var (lines, addressError) = NotifyAddress.Check(personalisation);
        if (addressError is not null)
        {
            return (400, addressError.ToJson(), null);
        }

        var english = NotifyText.PythonStrip(NotifyTemplates.Fill(template.Content, personalisation, markdownLists: true));
        var pages = template.WelshContent is { } welsh
            ? new List<(string, string)> { ("cy", NotifyText.PythonStrip(NotifyTemplates.Fill(welsh, personalisation, markdownLists: true))), ("en", english) }
            : [("en", english)];
        var subject = SubjectOf(pages[0].Item2);
        var letter = Store(new Stored(id, type, reference, templateId, string.Join("\n", lines), english, subject, now, root, pages, "created", keyType));
        After(_options.PrintRunAfter, () => letter.Move(_options.LetterOutcome(letter.To), _options.Time.GetUtcNow()));
        var letterAnswer = Answer(id, reference, templateId, template, new JsonObject { ["body"] = english, ["subject"] = subject });
        letterAnswer["scheduled_for"] = null;
        return (201, letterAnswer, letter);
    }

    /// <summary>create_response_for_post_notification (app/notifications/process_notifications.py).</summary>
    private JsonObject Answer(string id, string reference, string templateId, NotifyStandInTemplate template, JsonObject content) => new()
    {
        ["id"] = id,
        ["reference"] = reference.Length > 0 ? reference : null,
        ["content"] = content,
        ["uri"] = $"{Url}/v2/notifications/{id}",
        ["template"] = new JsonObject { ["id"] = templateId, ["version"] = template.Version, ["uri"] = $"{Url}/services/{_options.ServiceId}/templates/{templateId}" },
        ["scheduled_for"] = null,
    };

    /// <summary><c>GET /v2/notifications/{id}</c> (get_notifications.py lines 23-38).</summary>
    private (int, JsonObject, Stored?) OneAnswer(string id)
    {
        if (!Guid.TryParse(id, out _))
        {
            return (400, new NotifyError(400, "ValidationError", "notification_id is not a valid UUID").ToJson(), null);
        }

        // Any key type may read one notification by id (get_notifications.py lines 31-36 only log a mismatch); past the
        // retention it is gone (notifications_dao.get_notification_with_personalisation: NoResultFound, 404).
        return _byId.TryGetValue(id, out var stored) && Kept(stored)
            ? (200, Serialise(stored), null)
            : (404, new NotifyError(404, "NoResultFound", "No result found").ToJson(), null);
    }

    /// <summary><c>GET /v2/notifications</c> (get_notifications.py lines 74-120, with get_notifications_request's query).</summary>
    /// <summary>Within the service's retention: created on or after London midnight <see cref="NotifyStandInOptions.RetentionDays"/> days ago (nightly_tasks.py lines 233-236).</summary>
    private bool Kept(Stored n)
    {
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_options.Time.GetUtcNow(), london).DateTime);
        var midnight = today.AddDays(-_options.RetentionDays).ToDateTime(TimeOnly.MinValue);
        return n.CreatedAt >= new DateTimeOffset(midnight, london.GetUtcOffset(midnight));
    }

    private (int, JsonObject, Stored?) ListAnswer(IQueryCollection query, string keyType)
    {
        string[] known = ["reference", "status", "template_type", "include_jobs", "older_than"];
        if (query.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } extra)
        {
            return (400, new NotifyError(400, "ValidationError", $"Additional properties are not allowed ({extra} was unexpected)").ToJson(), null);
        }

        var statuses = query["status"].Select(s => s!).ToList();
        var types = query["template_type"].Select(s => s!).ToList();
        var reference = query["reference"].FirstOrDefault();
        var olderThan = query["older_than"].FirstOrDefault();
        var all = _inOrder.Reverse().ToList();
        if (olderThan is not null)
        {
            all = [.. all.SkipWhile(n => n.Id != olderThan).Skip(1)];
        }

        // Only notifications sent with a key of the caller's type (notifications_dao.py lines 345-351), within the retention.
        var page = all.Where(n => n.KeyType == keyType && Kept(n))
            .Where(n => reference is null || n.Reference == reference)
            .Where(n => types.Count == 0 || types.Contains(n.Type))
            .Where(n => statuses.Count == 0 || statuses.Contains(ApiStatus(n)))
            .Take(250).ToList();
        var current = $"{Url}/v2/notifications{(query.Count > 0 ? "?" + string.Join("&", query.SelectMany(q => q.Value.Select(v => $"{q.Key}={Uri.EscapeDataString(v ?? string.Empty)}"))) : string.Empty)}";
        var links = new JsonObject { ["current"] = current };
        if (page.Count > 0)
        {
            links["next"] = $"{current}{(current.Contains('?', StringComparison.Ordinal) ? "&" : "?")}older_than={page[^1].Id}";
        }

        return (200, new JsonObject { ["notifications"] = new JsonArray([.. page.Select(Serialise)]), ["links"] = links }, null);
    }

    /// <summary>Notification.serialize_with_cost_data (app/models.py lines 1780-1858), for a notification sent by API.</summary>
    private JsonObject Serialise(Stored n)
    {
        var template = _options.Templates[n.TemplateId];
        var (status, at) = n.Current;
        // NOTIFICATION_STATUS_TYPES_COMPLETED (app/constants.py lines 28-38): completed_at is the last update's time.
        var completed = status is "sent" or "delivered" or "failed" or "permanent-failure" or "temporary-failure" or "technical-failure" or "returned-letter" or "cancelled" or "validation-failed";
        var json = new JsonObject
        {
            ["id"] = n.Id,
            ["reference"] = n.Reference.Length > 0 ? n.Reference : null,
            ["email_address"] = null,
            ["phone_number"] = n.Type == "sms" ? n.To : null,
            ["line_1"] = null,
            ["line_2"] = null,
            ["line_3"] = null,
            ["line_4"] = null,
            ["line_5"] = null,
            ["line_6"] = null,
            ["postcode"] = null,
            ["type"] = n.Type,
            ["status"] = ApiStatus(n),
            ["template"] = new JsonObject { ["version"] = template.Version, ["id"] = n.TemplateId, ["uri"] = $"{Url}/services/{_options.ServiceId}/templates/{n.TemplateId}" },
            ["body"] = n.Body,
            ["subject"] = n.Subject,
            ["created_at"] = Time(n.CreatedAt),
            ["created_by_name"] = null,
            ["sent_at"] = n.Statuses.Count > 1 ? Time(n.Statuses[1].At) : null,
            ["completed_at"] = completed ? Time(at) : null,
            ["scheduled_for"] = null,
            ["postage"] = n.Type == "letter" ? "second" : null,
            ["one_click_unsubscribe_url"] = null,
        };
        if (n.Type == "letter")
        {
            // The address lines as given (InsensitiveDict of the personalisation, address_line_1 to 6 and postcode).
            var personalisation = n.Request["personalisation"] as JsonObject ?? [];
            var byKey = personalisation.GroupBy(p => NotifyTemplates.Key(p.Key)).ToDictionary(g => g.Key, g => g.First().Value);
            for (var i = 1; i <= 6; i++)
            {
                json[$"line_{i}"] = byKey.GetValueOrDefault($"addressline{i}")?.DeepClone();
            }

            json["postcode"] = byKey.GetValueOrDefault("postcode")?.DeepClone();
            json["estimated_delivery"] = Time(n.CreatedAt.AddDays(3));
        }

        json["cost_details"] = n.Type == "letter" ? new JsonObject { ["billable_sheets_of_paper"] = 2, ["postage"] = "second" } : new JsonObject { ["billable_sms_fragments"] = 1, ["international_rate_multiplier"] = 1.0, ["sms_rate"] = 0.0227 };
        json["cost_in_pounds"] = n.Type == "letter" ? 0.85 : 0.0227;
        json["is_cost_data_ready"] = true;
        return json;
    }

    /// <summary>What the API shows: a letter created or sending is "accepted", delivered or returned "received" (models.py get_letter_status).</summary>
    private static string ApiStatus(Stored n) => (n.Type, n.Current.Status) switch
    {
        ("letter", "created" or "sending") => "accepted",
        ("letter", "delivered" or "returned-letter") => "received",
        (_, var status) => status,
    };

    private void Settle(Stored text, string final)
    {
        var now = _options.Time.GetUtcNow();
        text.Move("sending", now);
        text.Move(final, now);
        if (_callbackTo.Delivery is { } url)
        {
            var template = _options.Templates[text.TemplateId];

            // send_delivery_status_to_service (service_callback_tasks.py lines 57-84), with create_delivery_status_callback_data's values.
            for (var copy = 0; copy < _options.CallbackCopies; copy++)
            {
                _callbacks.Post(url, _callbackTo.Token, "delivery-status", text.Id, final, new JsonObject
                {
                    ["id"] = text.Id,
                    ["reference"] = text.Reference.Length > 0 ? text.Reference : null,
                    ["to"] = text.To,
                    ["status"] = final,
                    ["created_at"] = Time(text.CreatedAt),
                    ["completed_at"] = Time(now),
                    ["sent_at"] = Time(now),
                    ["notification_type"] = text.Type,
                    ["template_id"] = text.TemplateId,
                    ["template_version"] = template.Version,
                });
            }
        }
    }

    private Stored Store(Stored stored)
    {
        _byId[stored.Id] = stored;
        _inOrder.Enqueue(stored);
        return stored;
    }

    private void After(TimeSpan delay, Action then)
    {
        var task = Task.Run(async () =>
        {
            await Task.Delay(delay, _stop.Token);
            then();
        });
        _timers.TryAdd(task, 0);
        _ = task.ContinueWith(t => _timers.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>A letter's heading is its first line ("# ..."), which Notify shows as the subject.</summary>
    private static string SubjectOf(string letter) => letter.Split('\n')[0].TrimStart('#', ' ');

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));

    private sealed class Stored(
        string id, string type, string reference, string templateId, string to, string body, string? subject, DateTimeOffset createdAt,
        JsonObject request, IReadOnlyList<(string, string)> pages, string status, string keyType = "normal")
    {
        public string KeyType => keyType;

        private readonly List<(string Status, DateTimeOffset At)> _statuses = [(status, createdAt)];

        public string Id => id;

        public string Type => type;

        public string Reference => reference;

        public string TemplateId => templateId;

        public string To => to;

        public string Body => body;

        public string? Subject => subject;

        public DateTimeOffset CreatedAt => createdAt;

        public JsonObject Request => request;

        public (string Status, DateTimeOffset At) Current
        {
            get
            {
                lock (_statuses)
                {
                    return _statuses[^1];
                }
            }
        }

        public IReadOnlyList<(string Status, DateTimeOffset At)> Statuses
        {
            get
            {
                lock (_statuses)
                {
                    return [.. _statuses];
                }
            }
        }

        public void Move(string next, DateTimeOffset at)
        {
            lock (_statuses)
            {
                _statuses.Add((next, at));
            }
        }

        public NotifyNotification Snapshot() => new(
            id, type, reference, templateId, to, body, subject, createdAt,
            [.. Statuses.Select(s => (ApiStatus(this, s.Status), s.At))], (JsonObject)request.DeepClone(), pages);

        private static string ApiStatus(Stored n, string status) => (n.Type, status) switch
        {
            ("letter", "created" or "sending") => "accepted",
            ("letter", "delivered" or "returned-letter") => "received",
            _ => status,
        };
    }
}
