using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.Messages;

namespace Referrals.LocalHost;

/// <summary>What the stand-in accepted, and the final status Notify's simulator would report for it.</summary>
/// <param name="Type">"sms" or "letter".</param>
/// <param name="Status">Notify's final status: "delivered", "permanent-failure", "temporary-failure" (text messages) or "received" (letters).</param>
/// <param name="Content">The message as Notify rendered it (personal data: for tests and the local outbox only).</param>
public sealed record NotifyNotification(string Id, string Type, string Reference, string Status, DateTimeOffset CreatedAt, string TemplateId = "", string Content = "");

/// <summary>
/// A GOV.UK Notify stand-in on loopback: <c>POST /v2/notifications/sms</c> and <c>/letter</c> (and
/// <c>GET /v2/notifications/{id}</c> for the status timer), checked as Notify checks
/// them (a JWT signed with the key's secret, issued by its service id within 30 seconds; a known template id, whose
/// content is the repo's <c>Messages/Templates</c> as a force pastes them into Notify; every placeholder of the
/// template, both halves of a bilingual letter, in the personalisation; a text of at most 918 characters as Notify counts them; a mobile number and
/// an address Notify accepts (<see cref="UkMobile"/>, <see cref="LetterAddress"/>); a reference of at most 1,000 characters), answered as Notify answers (201 with the notification's id,
/// 400/403 with Notify's error body). Each request it accepts is written as JSON under
/// <c>notify/sms/</c> or <c>notify/letters/</c> of the outbox. Its simulated outcome follows Notify's simulator
/// numbers: one ending 07700900002 fails permanently, 07700900003 fails temporarily, anything else is delivered (a letter is
/// received for printing); <paramref name="accepted"/> hears of each, to post the callback Notify would.
/// </summary>
public sealed partial class FakeNotify : IAsyncDisposable
{
    public const string ServiceId = "6f0e9a7c-3b1d-4c52-9e6a-1d2c3b4a5f60";
    public const string Secret = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    public const string ApiKey = "local_fake_notify-" + ServiceId + "-" + Secret;
    public const string SmsTemplateId = "5a1c0e2b-7d3f-4e8a-9b6c-2f4d1e3a5b70";
    public const string LetterTemplateId = "8c2e4a6b-1d3f-4a5c-8e7b-3c5d7e9f1a20";
    public const string WelshSmsTemplateId = "3b7d9f1a-2c4e-4f6a-8b0c-1d3e5f7a9b21";
    public const string BilingualLetterTemplateId = "9f1b3d5f-7a9c-4e1b-8d3f-5a7c9e1b3d43";

    /// <summary>Notify's limit for a text message: 6 fragments of 153 GSM-7 characters.</summary>
    public const int MaxTextCharacters = 918;
    public const string NotifyFolder = "notify";

    private readonly LoopbackListener _listener;
    private readonly Outbox? _outbox;
    private readonly Func<NotifyNotification, Task>? _accepted;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, FakeTemplate> _templates;
    private int _sms;
    private int _letters;

    private FakeNotify(Outbox? outbox, Func<NotifyNotification, Task>? accepted, TimeProvider time)
    {
        _outbox = outbox;
        _accepted = accepted;
        _time = time;
        _templates = LoadTemplates(MessageTemplates.LoadDefault());
        _listener = new LoopbackListener(HandleAsync);
    }

    public string Url => _listener.Url;

    public int SmsCount => _sms;

    public int LetterCount => _letters;

    /// <summary>Everything accepted, in order.</summary>
    public ConcurrentQueue<NotifyNotification> Accepted { get; } = new();

    /// <summary>Every request received, accepted or not, as (path, status code): what a test asserts on.</summary>
    public ConcurrentQueue<(string Path, int Status)> Requests { get; } = new();

    public static FakeNotify Start(Outbox? outbox, Func<NotifyNotification, Task>? accepted = null, TimeProvider? time = null) =>
        new(outbox, accepted, time ?? TimeProvider.System);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url?.AbsolutePath ?? string.Empty;
        if (context.Request.HttpMethod == "GET" && path.StartsWith("/v2/notifications/", StringComparison.Ordinal))
        {
            await AnswerStatusAsync(context, path["/v2/notifications/".Length..]);
            return;
        }

        var type = path switch
        {
            "/v2/notifications/sms" => "sms",
            "/v2/notifications/letter" => "letter",
            _ => null,
        };
        var (status, body, notification) = type is null ? (404, Error(404, "ResourceNotFound", "Not found"), null)
            : context.Request.HttpMethod != "POST" ? (405, Error(405, "MethodNotAllowed", "Method not allowed"), null)
            : Authorise(context.Request.Headers["Authorization"]) is { } authError ? (403, Error(403, "AuthError", authError), null)
            : await AcceptAsync(type, LoopbackListener.ParseJson(await LoopbackListener.ReadBodyAsync(context.Request)));
        Requests.Enqueue((path, status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body.ToJsonString()));
        if (notification is not null)
        {
            Accepted.Enqueue(notification);
            if (_accepted is not null)
            {
                await _accepted(notification);
            }
        }
    }

    /// <summary><c>GET /v2/notifications/{id}</c>: the notification with the final status the simulator gives it.</summary>
    private async Task AnswerStatusAsync(HttpListenerContext context, string id)
    {
        var found = Accepted.FirstOrDefault(n => n.Id == id);
        var (status, body) = Authorise(context.Request.Headers["Authorization"]) is { } authError ? (403, Error(403, "AuthError", authError))
            : found is null ? (404, Error(404, "NoResultFound", "No result found"))
            : (200, new JsonObject
            {
                ["id"] = found.Id,
                ["reference"] = found.Reference,
                ["type"] = found.Type,
                ["status"] = found.Status,
                ["created_at"] = found.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            });
        Requests.Enqueue(($"GET /v2/notifications/{id}", status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    /// <summary>Null when the bearer token is one Notify would accept, else Notify's reason.</summary>
    private string? Authorise(string? header)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return "Unauthorized: authentication token must be provided";
        }

        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return "Invalid token: signature, api token is not valid";
        }

        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
        {
            return "Invalid token: signature, api token not found";
        }

        try
        {
            var header64 = JsonNode.Parse(FromBase64Url(parts[0]));
            var claims = JsonNode.Parse(FromBase64Url(parts[1]));
            if (header64?["alg"]?.GetValue<string>() != "HS256" || claims?["iss"]?.GetValue<string>() != ServiceId)
            {
                return "Invalid token: service not found";
            }

            // Clients write "iat" as an integer or a number with a fraction (Notify's own .NET client does the latter).
            var issued = DateTimeOffset.FromUnixTimeMilliseconds((long)(claims["iat"]!.GetValue<JsonElement>().GetDouble() * 1000));
            return (_time.GetUtcNow() - issued).Duration() > TimeSpan.FromSeconds(30)
                ? "Error: Your system clock must be accurate to within 30 seconds"
                : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            return "Invalid token: signature, api token is not valid";
        }
    }

    private async Task<(int, JsonObject, NotifyNotification?)> AcceptAsync(string type, JsonDocument request)
    {
        using (request)
        {
            var root = JsonNode.Parse(request.RootElement.GetRawText())!.AsObject();
            var templateId = root["template_id"]?.GetValue<string>();
            var personalisation = root["personalisation"] as JsonObject ?? [];
            var reference = root["reference"]?.GetValue<string>() ?? string.Empty;
            if (templateId is null || !_templates.TryGetValue(templateId, out var template) || template.Type != type)
            {
                return (400, Error(400, "BadRequestError", "Template not found"), null);
            }

            if (reference.Length > 1000)
            {
                return (400, Error(400, "ValidationError", "reference is too long"), null);
            }

            var values = Values(personalisation);
            var missing = template.Halves.SelectMany(h => NotifyTemplate.Placeholders(h.Content)).Distinct().Where(k => !values.ContainsKey(k)).ToList();
            if (missing.Count > 0)
            {
                return (400, Error(400, "BadRequestError", $"Missing personalisation: {string.Join(", ", missing)}"), null);
            }

            string? recipientError = type == "sms" ? PhoneError(root["phone_number"]?.GetValue<string>()) : AddressError(personalisation);
            if (recipientError is not null)
            {
                return (400, Error(400, "ValidationError", recipientError), null);
            }

            var pages = template.Halves.Select(h => (h.Language, Rendered: NotifyTemplate.Render(h.Content, values))).ToList();
            var content = string.Join("\n\n", pages.Select(p => p.Rendered));
            if (type == "sms" && TextMessageLength.Of(content) is { TooLong: true } length)
            {
                return (400, Error(400, "BadRequestError", $"Text messages cannot be longer than {MaxTextCharacters} characters. Your message is {length.Characters} characters"), null);
            }

            content = type == "sms" ? TextMessageLength.AsSent(content) : content;

            var id = Guid.NewGuid().ToString();
            var phone = root["phone_number"]?.GetValue<string>();
            // Notify's research mode (notifications-api app/celery/research_mode_tasks.py): by the normalised number's end.
            var normalised = UkMobile.TryNormalise(phone, out var mobile) ? mobile : phone ?? string.Empty;
            var final = type == "letter" ? "received"
                : normalised.EndsWith("7700900002", StringComparison.Ordinal) ? "permanent-failure"
                : normalised.EndsWith("7700900003", StringComparison.Ordinal) ? "temporary-failure"
                : "delivered";
            var count = Interlocked.Increment(ref type == "sms" ? ref _sms : ref _letters);
            if (_outbox is not null)
            {
                var folder = Path.Combine(_outbox.Path, NotifyFolder, type == "sms" ? "sms" : "letters");
                Directory.CreateDirectory(folder);
                root["id"] = id;
                root["content"] = content;
                root["simulated_status"] = final;
                await File.WriteAllTextAsync(_outbox.Record(Path.Combine(folder, $"{count.ToString("D3", CultureInfo.InvariantCulture)}_{id}.json")),
                    root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                await WriteReviewCopyAsync(type, reference, pages, values);
            }

            var response = new JsonObject
            {
                ["id"] = id,
                ["reference"] = reference,
                ["content"] = type == "sms"
                    ? new JsonObject { ["body"] = content, ["from_number"] = "Police" }
                    : new JsonObject { ["body"] = content, ["subject"] = Subject(pages[0].Rendered) },
                ["uri"] = $"{Url}/v2/notifications/{id}",
                ["template"] = new JsonObject { ["id"] = templateId, ["version"] = 1, ["uri"] = $"{Url}/v2/template/{templateId}/version/1" },
                ["scheduled_for"] = null,
            };
            return (201, response, new NotifyNotification(id, type, reference, final, _time.GetUtcNow(), templateId, content));
        }
    }

    /// <summary>
    /// The message as the victim reads it, for review: a text as .txt, a letter as .html (Welsh first when bilingual),
    /// under <c>review/</c>, named by crime, victim and channel (<see cref="ReviewFiles"/>) so two runs compare file by file.
    /// </summary>
    private async Task WriteReviewCopyAsync(string type, string reference, List<(string Language, string Rendered)> pages, Dictionary<string, object> values)
    {
        if (_outbox is null || !MessageReference.TryParseNotify(reference, out var sent))
        {
            return;
        }

        var channel = type == "sms" ? Channel.Sms : Channel.Letter;
        var file = _outbox.Review(sent.CrimeReference, sent.VictimId, channel);
        if (channel == Channel.Sms)
        {
            await File.WriteAllTextAsync(file, TextMessageLength.AsSent(pages[0].Rendered) + "\n");
            return;
        }

        // Notify prints the address block above the letter, once: so does the review copy.
        var address = Enumerable.Range(1, 7).Select(i => values.GetValueOrDefault($"address_line_{i}") as string).Where(l => !string.IsNullOrWhiteSpace(l));
        var first = (pages[0].Language, string.Join("\n", address) + "\n\n" + pages[0].Rendered);
        await File.WriteAllTextAsync(file, NotifyTemplate.ToHtml([first, .. pages.Skip(1)], Subject(pages[0].Rendered)));
    }

    /// <summary>A letter's heading is its first line ("# ..."), which Notify shows as the subject.</summary>
    private static string Subject(string letter) => letter.Split('\n')[0].TrimStart('#', ' ');

    /// <summary>Notify's personalisation values: text, or a list (shown as bullets).</summary>
    private static Dictionary<string, object> Values(JsonObject personalisation) =>
        personalisation.Where(p => p.Value is not null).ToDictionary(
            p => p.Key.ToLowerInvariant(),
            p => p.Value is JsonArray list ? list.Select(i => i?.ToString() ?? string.Empty).ToList() : (object)(p.Value!.ToString()),
            StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The templates as a force sets them up in Notify, from the repo's <c>Messages/Templates</c>: the English and
    /// Welsh text, and the bilingual letter (its Welsh half first, <see cref="MessageTemplates.BilingualWelshLetter"/>).
    /// </summary>
    private static Dictionary<string, FakeTemplate> LoadTemplates(MessageTemplates templates)
    {
        var (en, cy) = (templates.For("en"), templates.For("cy"));
        return new Dictionary<string, FakeTemplate>(StringComparer.Ordinal)
        {
            [SmsTemplateId] = new("sms", [("en", en.TextMessage)]),
            [LetterTemplateId] = new("letter", [("en", en.Letter)]),
            [WelshSmsTemplateId] = new("sms", [(cy.Language, cy.TextMessage)]),
            [BilingualLetterTemplateId] = new("letter", [("cy", templates.BilingualWelshLetter ?? cy.Letter), ("en", en.Letter)]),
        };
    }

    private sealed record FakeTemplate(string Type, IReadOnlyList<(string Language, string Content)> Halves);

    /// <summary>Notify's rules for a mobile number (it accepts a 070 personal number, which we never send).</summary>
    private static string? PhoneError(string? phone) =>
        phone is null ? "phone_number is a required property"
        : UkMobile.Check(phone, out _) is null or MobileRule.PersonalNumber ? null
        : "phone_number Not a UK mobile number";

    /// <summary>Notify's letter address rules (<see cref="LetterAddress"/>), on address_line_1 to address_line_7 as given.</summary>
    private static string? AddressError(JsonObject personalisation) =>
        LetterAddress.Check([.. Enumerable.Range(1, 7).Select(i => personalisation[$"address_line_{i}"]?.ToString() ?? string.Empty)]) is { } rule
            ? $"Address: {LetterAddress.Describe(rule)}"
            : null;

    private static JsonObject Error(int status, string error, string message) => new()
    {
        ["status_code"] = status,
        ["errors"] = new JsonArray(new JsonObject { ["error"] = error, ["message"] = message }),
    };

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));
}
