using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Referrals.StandIns;

/// <summary>
/// A Kestrel server on 127.0.0.1 and a port the system picks (port 0: no race for a free port), the plumbing of every
/// loopback server here: each request is served on its own, a request the handler cannot read (no body, bad JSON, too
/// large, too slow) is answered with a 4xx, and the server goes on serving whatever a request did, until disposed.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    /// <summary>Far above any email or referral document; a stand-in never buffers more.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>http://127.0.0.1:{port}, without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>Starts serving every request with <paramref name="handle"/>.</summary>
    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => ServeAsync(context, handle));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, address.TrimEnd('/'));
    }

    /// <summary>The request body, refused with 400 when there is none and 413 when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes = MaxBodyBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new BadRequestException(413, "body too large");
        }

        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                throw new BadRequestException(413, "body too large");
            }

            body.Write(buffer, 0, read);
        }

        return body.Length > 0 ? body.ToArray() : throw new BadRequestException(400, "no body");
    }

    /// <summary>A body already read, as a JSON document, refused with 400 when it is not one.</summary>
    public static JsonDocument ParseJson(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new BadRequestException(400, "body is not JSON");
        }
    }

    /// <summary>Writes a status and, when given, a JSON body.</summary>
    public static async Task AnswerAsync(HttpContext context, int status, string? json = null)
    {
        context.Response.StatusCode = status;
        if (json is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private static async Task ServeAsync(HttpContext context, Func<HttpContext, Task> handle)
    {
        try
        {
            await handle(context).WaitAsync(RequestTimeout, context.RequestAborted);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Whatever a request did, the server answers it and serves the next one: a test or a run must not hang on it.
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = ex switch
                {
                    BadRequestException bad => bad.Status,
                    BadHttpRequestException bad => bad.StatusCode,
                    TimeoutException => 408,
                    JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException => 400,
                    _ => 500,
                };
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
    }
}

/// <summary>A request a stand-in refuses, with the 4xx status to answer.</summary>
public sealed class BadRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
