using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Referrals.LocalHost;

/// <summary>
/// An HTTP listener on 127.0.0.1 and a free port, the local stand-ins' plumbing: each request is served on its own, a
/// request the handler cannot read (no body, bad JSON, too large, too slow) is answered with a 4xx, and the listener
/// goes on serving whatever a request did, until disposed.
/// </summary>
public sealed class LoopbackListener : IAsyncDisposable
{
    /// <summary>Far above any email or referral document; a stand-in never buffers more.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<Task, byte> _serving = new();
    private readonly Task _loop;

    public LoopbackListener(Func<HttpListenerContext, Task> handle)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(() => LoopAsync(handle));
    }

    public string Url { get; }

    /// <summary>The request body, refused with 400 when there is none and 413 when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request, int maxBytes = MaxBodyBytes)
    {
        if (request.ContentLength64 > maxBytes)
        {
            throw new BadRequestException(413, "body too large");
        }

        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.InputStream.ReadAsync(buffer)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                throw new BadRequestException(413, "body too large");
            }

            body.Write(buffer, 0, read);
        }

        return body.Length > 0 ? body.ToArray() : throw new BadRequestException(400, "no body");
    }

    /// <summary>The request body as a JSON document, refused with 400 when it is not one.</summary>
    public static async Task<JsonDocument> ReadJsonAsync(HttpListenerRequest request) => ParseJson(await ReadBodyAsync(request));

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

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        await Task.WhenAll(_serving.Keys);
    }

    private async Task LoopAsync(Func<HttpListenerContext, Task> handle)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Closed (the normal way to stop), or one connection that failed before it became a request: go on.
                continue;
            }

            var serving = ServeAsync(context, handle);
            _serving.TryAdd(serving, 0);
            _ = serving.ContinueWith(done => _serving.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private static async Task ServeAsync(HttpListenerContext context, Func<HttpListenerContext, Task> handle)
    {
        var response = context.Response;
        try
        {
            await handle(context).WaitAsync(RequestTimeout);
        }
        catch (Exception ex)
        {
            // Whatever a request did, the stand-in answers it and serves the next one: a test or a run must not hang on it.
            TrySetStatus(response, ex switch
            {
                BadRequestException bad => bad.Status,
                TimeoutException => 408,
                JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException => 400,
                _ => 500,
            });
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                // The client went away: nothing to answer.
            }
        }
    }

    private static void TrySetStatus(HttpListenerResponse response, int status)
    {
        try
        {
            response.StatusCode = status;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or HttpListenerException)
        {
            // The handler had already started its answer; closing it is all that is left.
        }
    }
}

/// <summary>A request a stand-in refuses, with the 4xx status to answer.</summary>
public sealed class BadRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
