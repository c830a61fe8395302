using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MimeKit;
using Referrals.Contact;
using Referrals.Receipts;

namespace Referrals.LocalHost;

/// <summary>
/// A SendGrid-compatible endpoint on loopback for local runs: accepts POST /v3/mail/send like SendGrid
/// (202 and an X-Message-Id) and writes each email to an outbox folder as a .eml file. Nothing leaves the machine.
/// Once told where (<see cref="PostEventsTo"/>), it posts Event Webhook events for each email like SendGrid's Signed
/// Event Webhook, with a key pair made for this run: <c>processed</c>, then <c>delivered</c>, or <c>bounce</c> for a
/// recipient whose local part starts with "bounce".
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    /// <summary>The SendGrid category of secure emails to services; they go to a folder of their own.</summary>
    private const string ServiceCategory = "service-referral";

    private readonly LoopbackListener _listener;
    private readonly ECDsa _webhookKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly SendGridEventPoster _events;
    private readonly Outbox? _outbox;
    private readonly Action<string, string>? _accepted;
    private readonly Action<string, string, string>? _acceptedTo;
    private int _count;
    private int _serviceCount;

    private FakeSendGrid(Outbox? outbox, Action<string, string>? accepted, Action<string, string, string>? acceptedTo)
    {
        _outbox = outbox;
        _accepted = accepted;
        _events = new SendGridEventPoster(_webhookKey);
        _acceptedTo = acceptedTo;
        _listener = new LoopbackListener(HandleAsync);
    }

    public string Url => _listener.Url;

    /// <summary>The Event Webhook verification key of this run, as SendGrid shows it (Base64 DER): the Receipts__SendGridWebhookPublicKey setting.</summary>
    public string WebhookPublicKey => SendGridSignature.PublicKeyOf(_webhookKey);

    /// <summary>Events posted and answered with 2xx, and posts that were refused or failed after SendGrid's retries.</summary>
    public (int Posted, int Failed) Events => (_events.Posted, _events.Failed);

    /// <summary>From now on, each email's events are posted, signed, to <paramref name="webhookUrl"/>.</summary>
    public void PostEventsTo(string webhookUrl) => _events.Start(webhookUrl);

    /// <summary>Waits until every event so far has been posted (or given up on), at most <paramref name="timeout"/>.</summary>
    public Task<bool> FlushEventsAsync(TimeSpan timeout) => _events.FlushAsync(timeout);

    /// <summary>Entitlement emails received.</summary>
    public int Count => _count;

    /// <summary>Secure emails to services (referrals, withdrawals, tasks) received.</summary>
    public int ServiceCount => _serviceCount;

    /// <summary>
    /// Starts the endpoint; with no outbox nothing is written, and <paramref name="accepted"/> hears of each entitlement
    /// email (crime reference, victim id), <paramref name="acceptedTo"/> with its recipient too (for the run's receipts).
    /// </summary>
    public static FakeSendGrid Start(Outbox? outbox, Action<string, string>? accepted = null, Action<string, string, string>? acceptedTo = null) => new(outbox, accepted, acceptedTo);

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _events.DisposeAsync();
        _webhookKey.Dispose();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (context.Request.Url?.AbsolutePath != "/v3/mail/send")
        {
            response.StatusCode = 404;
            return;
        }

        if (context.Request.HttpMethod != "POST")
        {
            response.StatusCode = 405;
            return;
        }

        // Everything is read before anything is counted or written: a request it cannot read is a 400, like SendGrid's.
        using var json = await LoopbackListener.ReadJsonAsync(context.Request);
        var mail = json.RootElement;
        var toService = mail.TryGetProperty("categories", out var categories) && categories.EnumerateArray().Any(c => c.GetString() == ServiceCategory);
        var args = mail.GetProperty("personalizations")[0].GetProperty("custom_args");
        var (crime, victim) = (args.GetProperty("crimeReference").GetString()!, args.GetProperty("victimId").GetString()!);
        using var message = ToMime(mail, "pending");
        var id = $"local-{Interlocked.Increment(ref toService ? ref _serviceCount : ref _count).ToString(CultureInfo.InvariantCulture)}{(toService ? "s" : "")}";
        message.MessageId = $"{id}@sendgrid.local";
        if (_outbox is not null)
        {
            var folder = toService ? Path.Combine(_outbox.Path, Outbox.ServicesFolder) : _outbox.Path;
            Directory.CreateDirectory(folder);
            await message.WriteToAsync(_outbox.Record(Path.Combine(folder, FileName(mail, id))));
            if (!toService)
            {
                // The review copy leaves out what changes from run to run (when it was sent, the stand-in's id).
                var review = _outbox.Review(crime, victim, Channel.Email);
                message.MessageId = $"{Path.GetFileNameWithoutExtension(review)}@review.invalid";
                message.Headers.Remove(HeaderId.Date);
                await message.WriteToAsync(review);
            }
        }

        if (!toService)
        {
            _accepted?.Invoke(crime, victim);
            _acceptedTo?.Invoke(crime, victim, message.To.Mailboxes.First().Address);
        }

        _events.Enqueue(EventsOf(mail, id));

        response.StatusCode = 202;
        response.AddHeader("X-Message-Id", id);
    }

    /// <summary>What SendGrid's Event Webhook reports for one email: custom_args as top-level keys, categories as an array.</summary>
    private static IEnumerable<JsonObject> EventsOf(JsonElement mail, string id)
    {
        var personalization = mail.GetProperty("personalizations")[0];
        var to = personalization.GetProperty("to")[0].GetProperty("email").GetString()!;
        var bounces = to.StartsWith("bounce", StringComparison.OrdinalIgnoreCase);
        foreach (var type in new[] { "processed", bounces ? "bounce" : "delivered" })
        {
            var item = new JsonObject
            {
                ["email"] = to,
                ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["smtp-id"] = $"<{id}@sendgrid.local>",
                ["event"] = type,
                ["sg_event_id"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
                ["sg_message_id"] = $"{id}.filter0001.local",
            };
            if (type == "bounce")
            {
                item["type"] = "bounce";
                item["status"] = "5.1.1";
                item["reason"] = "550 5.1.1 The email account that you tried to reach does not exist.";
            }
            else if (type == "delivered")
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

            yield return item;
        }
    }

    private static MimeMessage ToMime(JsonElement mail, string id)
    {
        var personalization = mail.GetProperty("personalizations")[0];
        var message = new MimeMessage
        {
            MessageId = $"{id}@sendgrid.local",
            Subject = (personalization.TryGetProperty("subject", out var subject) ? subject : mail.GetProperty("subject")).GetString() ?? string.Empty,
        };
        var from = mail.GetProperty("from");
        message.From.Add(new MailboxAddress(from.TryGetProperty("name", out var name) ? name.GetString() : null, from.GetProperty("email").GetString()!));
        foreach (var to in personalization.GetProperty("to").EnumerateArray())
        {
            message.To.Add(MailboxAddress.Parse(to.GetProperty("email").GetString()!));
        }

        string? text = null, html = null;
        foreach (var content in mail.GetProperty("content").EnumerateArray())
        {
            if (content.GetProperty("type").GetString() == "text/html")
            {
                html = content.GetProperty("value").GetString();
            }
            else
            {
                text = content.GetProperty("value").GetString();
            }
        }

        // As SendGrid sends it: quoted-printable UTF-8 parts, and the headers the request set (Content-Language).
        message.Body = Referrals.Emails.EmlWriter.Alternative(text ?? string.Empty, html);
        if (mail.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Content-Language", out var language) && language.GetString() is { } tag)
        {
            message.Headers.Add(HeaderId.ContentLanguage, SafeLanguage(tag));
        }

        return message;
    }

    private static string SafeLanguage(string tag) => new([.. tag.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ',' or ' ')]);

    private static string FileName(JsonElement mail, string id)
    {
        var args = mail.GetProperty("personalizations")[0].GetProperty("custom_args");
        string Arg(string key) => args.TryGetProperty(key, out var value) ? value.GetString() ?? "" : "";
        var safe = new string([.. $"{Arg("crimeReference")}_{Arg("victimId")}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return $"{safe}_{id}.eml";
    }
}
