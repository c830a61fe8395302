using System.Globalization;
using System.Net;
using System.Text.Json;
using MimeKit;

namespace Referrals.LocalHost;

/// <summary>
/// A SendGrid-compatible endpoint on loopback for local runs: accepts POST /v3/mail/send like SendGrid
/// (202 and an X-Message-Id) and writes each email to an outbox folder as a .eml file. Nothing leaves the machine.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    /// <summary>The SendGrid category of secure emails to services; they go to a folder of their own.</summary>
    private const string ServiceCategory = "service-referral";

    private readonly LoopbackListener _listener;
    private readonly Outbox? _outbox;
    private readonly Action<string, string>? _accepted;
    private readonly Action<string, string, string>? _acceptedTo;
    private int _count;
    private int _serviceCount;

    private FakeSendGrid(Outbox? outbox, Action<string, string>? accepted, Action<string, string, string>? acceptedTo)
    {
        _outbox = outbox;
        _accepted = accepted;
        _acceptedTo = acceptedTo;
        _listener = new LoopbackListener(HandleAsync);
    }

    public string Url => _listener.Url;

    /// <summary>Entitlement emails received.</summary>
    public int Count => _count;

    /// <summary>Secure emails to services (referrals, withdrawals, tasks) received.</summary>
    public int ServiceCount => _serviceCount;

    /// <summary>
    /// Starts the endpoint; with no outbox nothing is written, and <paramref name="accepted"/> hears of each entitlement
    /// email (crime reference, victim id), <paramref name="acceptedTo"/> with its recipient too (for the run's receipts).
    /// </summary>
    public static FakeSendGrid Start(Outbox? outbox, Action<string, string>? accepted = null, Action<string, string, string>? acceptedTo = null) => new(outbox, accepted, acceptedTo);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

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
        }

        if (!toService)
        {
            _accepted?.Invoke(crime, victim);
            _acceptedTo?.Invoke(crime, victim, message.To.Mailboxes.First().Address);
        }

        response.StatusCode = 202;
        response.AddHeader("X-Message-Id", id);
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

        var body = new BodyBuilder();
        foreach (var content in mail.GetProperty("content").EnumerateArray())
        {
            if (content.GetProperty("type").GetString() == "text/html")
            {
                body.HtmlBody = content.GetProperty("value").GetString();
            }
            else
            {
                body.TextBody = content.GetProperty("value").GetString();
            }
        }

        message.Body = body.ToMessageBody();
        return message;
    }

    private static string FileName(JsonElement mail, string id)
    {
        var args = mail.GetProperty("personalizations")[0].GetProperty("custom_args");
        string Arg(string key) => args.TryGetProperty(key, out var value) ? value.GetString() ?? "" : "";
        var safe = new string([.. $"{Arg("crimeReference")}_{Arg("victimId")}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return $"{safe}_{id}.eml";
    }
}
