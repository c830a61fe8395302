using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Referrals.Pipeline.Tests;

/// <summary>A table request as it passed the proxy: its method, path, decoded $filter (null when none) and body.</summary>
internal sealed record TableRequest(string Method, string Path, string? Filter, string Body)
{
    /// <summary>The table a request is about (its path's first segment after the account, without "(…)").</summary>
    public string Table => Path.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1)?.Split('(')[0] ?? string.Empty;

    /// <summary>A query (GET of entities) rather than a point read, a write or a batch.</summary>
    public bool IsQuery => Method == "GET" && !Path.Contains("PartitionKey=", StringComparison.Ordinal) && Table is not ("" or "Tables");
}

/// <summary>
/// A proxy in front of Azurite's table service (a tiny Kestrel app on a free loopback port): every request is recorded,
/// then sent on as it came (SharedKey signs the account and path, not the host, so signatures still hold), unless
/// <see cref="Hold"/> says to keep it: it then never reaches storage, and its sender waits until it goes away.
/// </summary>
internal sealed class TableProxy : IAsyncDisposable
{
    private static readonly string[] Unforwarded = ["Host", "Connection", "Transfer-Encoding", "Content-Length", "Expect"];

    private readonly WebApplication _app;
    private readonly HttpClient _storage = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
    private readonly string _tables;

    private TableProxy(WebApplication app, string tables)
    {
        _app = app;
        _tables = tables.TrimEnd('/');
    }

    /// <summary>The proxy's table endpoint, with the account: use it as TableEndpoint.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    public ConcurrentQueue<TableRequest> Requests { get; } = new();

    /// <summary>Keeps a request from storage (for ever); the first one kept completes <see cref="Held"/>.</summary>
    public Func<TableRequest, bool> Hold { get; set; } = _ => false;

    public TaskCompletionSource<TableRequest> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, a request kept by <see cref="Hold"/> goes on to storage once this completes, instead of never.</summary>
    public Task? Gate { get; set; }

    /// <summary>A connection string with this proxy in place of the table endpoint of <paramref name="connection"/>.</summary>
    public string Connect(string connection) =>
        string.Join(';', connection.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal) ? $"TableEndpoint={Endpoint}" : p));

    public static async Task<TableProxy> StartAsync(string connection)
    {
        var tables = connection.Split(';').Single(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal))["TableEndpoint=".Length..];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Logging.ClearProviders();
        var proxy = new TableProxy(builder.Build(), tables);
        proxy._app.Run(proxy.HandleAsync);
        await proxy._app.StartAsync();
        var address = proxy._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        proxy.Endpoint = address + new Uri(tables).AbsolutePath;
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _storage.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var filter = context.Request.Query["$filter"] is { Count: > 0 } f ? f.ToString() : null;
        var request = new TableRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, filter, Encoding.UTF8.GetString(body));
        Requests.Enqueue(request);
        if (Hold(request))
        {
            Held.TrySetResult(request);
            if (Gate is not { } gate)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await gate.WaitAsync(context.RequestAborted);
        }

        var origin = new Uri(_tables);
        // The target as sent: PathString would escape the '%' of an escaped key ("DB%2F26" to "DB%252F26").
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"{origin.Scheme}://{origin.Authority}{context.Features.Get<IHttpRequestFeature>()!.RawTarget}"));
        if (body.Length > 0 || context.Request.ContentLength is not null)
        {
            forward.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in context.Request.Headers.Where(h => !Unforwarded.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await _storage.SendAsync(forward, context.RequestAborted);
        var content = await answer.Content.ReadAsByteArrayAsync(context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !Unforwarded.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }
}
