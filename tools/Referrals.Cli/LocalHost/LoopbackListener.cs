using System.Net;
using System.Net.Sockets;

namespace Referrals.Cli.LocalHost;

/// <summary>An HTTP listener on 127.0.0.1 and a free port, serving one request at a time until disposed: the local stand-ins' plumbing.</summary>
public sealed class LoopbackListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
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

    private async Task LoopAsync(Func<HttpListenerContext, Task> handle)
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

            using var response = context.Response;
            await handle(context);
        }
    }
}
