using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Referrals.Pipeline.Tests;

/// <summary>What the proxy does with an answer GOV.UK Notify gave with a 2xx (Notify has stored the notification by then).</summary>
public enum NotifyFault
{
    None,
    Status500,
    Status502,
    Status503,
    Status504,

    /// <summary>The connection is reset after the request was sent on, with no answer at all.</summary>
    DropConnection,

    /// <summary>Notify's 201 without the notification's id.</summary>
    NoId,

    /// <summary>A 500 from the proxy itself: the request never reached Notify, which has no record of it.</summary>
    LostBeforeNotify,
}

/// <summary>
/// A proxy in front of the GOV.UK Notify stand-in that misbehaves as real ones do (a tiny Kestrel app on a free loopback
/// port): every request goes on to Notify, which validates and stores it, and then an accepted answer can be replaced by
/// a 5xx, stripped of its id, or dropped (the connection reset). It counts the requests by Notify reference.
/// </summary>
internal sealed class MisbehavingNotify : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _notify = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _notifyUrl;

    private MisbehavingNotify(WebApplication app, string notifyUrl)
    {
        _app = app;
        _notifyUrl = notifyUrl.TrimEnd('/');
    }

    public string Url { get; private set; } = string.Empty;

    /// <summary>What to do with Notify's 2xx for a request carrying that reference; none by default.</summary>
    public Func<string?, NotifyFault> Fault { get; set; } = _ => NotifyFault.None;

    /// <summary>Every request that came through, as (path, the body's reference, Notify's status, the fault applied).</summary>
    public ConcurrentQueue<(string Path, string? Reference, int NotifyStatus, NotifyFault Fault)> Requests { get; } = new();

    public static async Task<MisbehavingNotify> StartAsync(string notifyUrl)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var proxy = new MisbehavingNotify(builder.Build(), notifyUrl);
        proxy._app.Run(proxy.HandleAsync);
        await proxy._app.StartAsync();
        proxy.Url = proxy._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _notify.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var reference = body.Length > 0 ? (JsonNode.Parse(body) as JsonObject)?["reference"]?.GetValue<string>() : null;
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_notifyUrl + context.Request.Path + context.Request.QueryString));
        if (body.Length > 0)
        {
            forward.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var chosen = Fault(reference);
        if (context.Request.Method == "POST" && chosen == NotifyFault.LostBeforeNotify)
        {
            Requests.Enqueue((context.Request.Path, reference, 0, NotifyFault.LostBeforeNotify));
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("""{"status_code":500,"errors":[{"error":"Exception","message":"Internal server error"}]}""");
            return;
        }

        forward.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
        using var answer = await _notify.SendAsync(forward);
        var text = await answer.Content.ReadAsStringAsync();
        var status = (int)answer.StatusCode;
        var fault = status is >= 200 and < 300 && chosen != NotifyFault.LostBeforeNotify ? chosen : NotifyFault.None;
        Requests.Enqueue((context.Request.Path, reference, status, fault));
        switch (fault)
        {
            case NotifyFault.DropConnection:
                context.Abort();
                return;
            case NotifyFault.NoId:
                var withoutId = JsonNode.Parse(text)!.AsObject();
                withoutId.Remove("id");
                text = withoutId.ToJsonString();
                break;
            case NotifyFault.Status500 or NotifyFault.Status502 or NotifyFault.Status503 or NotifyFault.Status504:
                status = fault switch { NotifyFault.Status500 => 500, NotifyFault.Status502 => 502, NotifyFault.Status503 => 503, _ => 504 };
                text = $$"""{"status_code":{{status}},"errors":[{"error":"Exception","message":"Internal server error"}]}""";
                break;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(text);
    }
}
