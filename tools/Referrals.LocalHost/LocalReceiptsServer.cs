using System.Net;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// The two webhook endpoints on a local run: POST {Url}/api/webhooks/sendgrid and /api/webhooks/notify on loopback
/// only, answered by the Functions app's own endpoint classes. The local SendGrid and Notify stand-ins post to them.
/// </summary>
public sealed class LocalReceiptsServer(SendGridWebhookEndpoint sendGrid, NotifyCallbackEndpoint notify) : IAsyncDisposable
{
    private LoopbackListener? _listener;

    public string Url => (_listener ?? throw new InvalidOperationException("Not started.")).Url;

    public string SendGridWebhookUrl => $"{Url}/api/{SendGridWebhookEndpoint.Route}";

    public string NotifyCallbackUrl => $"{Url}/api/{NotifyCallbackEndpoint.Route}";

    public LocalReceiptsServer Start()
    {
        _listener = new LoopbackListener(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => _listener?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath.TrimEnd('/');
        Func<Stream, long?, Func<string, string?>, CancellationToken, Task<EndpointResponse>>? endpoint =
            path == $"/api/{SendGridWebhookEndpoint.Route}" ? sendGrid.HandleAsync
            : path == $"/api/{NotifyCallbackEndpoint.Route}" ? notify.HandleAsync
            : null;
        if (endpoint is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.HttpMethod != "POST")
        {
            context.Response.StatusCode = 405;
            context.Response.AddHeader("Allow", "POST");
            return;
        }

        var answer = await endpoint(request.InputStream, request.ContentLength64 >= 0 && request.HasEntityBody ? request.ContentLength64 : null, name => request.Headers[name], CancellationToken.None);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        context.Response.AddHeader("Cache-Control", "no-store");
        await context.Response.OutputStream.WriteAsync(answer.Body);
    }
}
