using System.Net;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>The OPCC's endpoint on a local run: GET {Url}/api/tallies on loopback only, answered by the Functions app's own <see cref="TalliesEndpoint"/>.</summary>
public sealed class LocalTalliesServer(TalliesEndpoint endpoint) : IAsyncDisposable
{
    private LoopbackListener? _listener;

    public string Url => (_listener ?? throw new InvalidOperationException("Not started.")).Url;

    public LocalTalliesServer Start()
    {
        _listener = new LoopbackListener(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => _listener?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        if (request.Url!.AbsolutePath.TrimEnd('/') != $"/api/{TalliesEndpoint.Route}")
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.HttpMethod != "GET")
        {
            context.Response.StatusCode = 405;
            context.Response.AddHeader("Allow", "GET");
            return;
        }

        var answer = await endpoint.HandleAsync(request.QueryString["from"], request.QueryString["to"], request.QueryString["format"], request.Headers["Accept"], CancellationToken.None);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        context.Response.AddHeader("Cache-Control", "no-store");
        await context.Response.OutputStream.WriteAsync(answer.Body);
    }
}
