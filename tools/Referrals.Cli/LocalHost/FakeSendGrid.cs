using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MimeKit;

namespace Referrals.Cli.LocalHost;

/// <summary>
/// A SendGrid-compatible endpoint on loopback for local runs: accepts POST /v3/mail/send like SendGrid
/// (202 and an X-Message-Id) and writes each email to an outbox folder as a .eml file. Nothing leaves the machine.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string? _outbox;
    private readonly Action<string, string>? _accepted;
    private readonly Task _loop;
    private int _count;

    private FakeSendGrid(int port, string? outbox, Action<string, string>? accepted)
    {
        _outbox = outbox;
        _accepted = accepted;
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public int Count => _count;

    /// <summary>Starts the endpoint; with no outbox nothing is written, and <paramref name="accepted"/> hears of each email (crime reference, victim id).</summary>
    public static FakeSendGrid Start(string? outbox, Action<string, string>? accepted = null)
    {
        if (outbox is not null)
        {
            Directory.CreateDirectory(outbox);
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new FakeSendGrid(port, outbox, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // The listener was closed while waiting for a request: the normal way to stop.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/v3/mail/send")
        {
            response.StatusCode = 404;
            return;
        }

        using var json = await JsonDocument.ParseAsync(context.Request.InputStream);
        var id = $"local-{Interlocked.Increment(ref _count).ToString(CultureInfo.InvariantCulture)}";
        if (_outbox is not null)
        {
            using var message = ToMime(json.RootElement, id);
            await message.WriteToAsync(Path.Combine(_outbox, FileName(json.RootElement, id)));
        }

        var args = json.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args");
        _accepted?.Invoke(args.GetProperty("crimeReference").GetString()!, args.GetProperty("victimId").GetString()!);
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
