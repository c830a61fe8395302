using Microsoft.AspNetCore.Http;
using Referrals.Pipeline.Outcomes;
using Referrals.Pipeline.Receipts;
using Referrals.StandIns;

namespace Referrals.LocalHost;

/// <summary>
/// The webhook endpoints on a local run: POST {Url}/api/webhooks/sendgrid, /api/webhooks/notify and
/// /api/webhooks/notify-returned-letter on loopback
/// (Kestrel, port 0), answered by the Functions app's own endpoint classes. The local SendGrid and Notify stand-ins post
/// to them over HTTP, as the providers do: this is the only way a local run applies a receipt.
/// </summary>
/// <param name="returnedLetter">Notify's returned-letter callback ({Url}/api/webhooks/notify-returned-letter); none: 404.</param>
/// <param name="outcomes">The outcome API (GET and POST {Url}/api/outcomes), where the services' stand-in reports; none: 404.</param>
public sealed class LocalReceiptsServer(SendGridWebhookEndpoint sendGrid, NotifyCallbackEndpoint notify, NotifyReturnedLetterEndpoint? returnedLetter = null, OutcomeEndpoint? outcomes = null) : IAsyncDisposable
{
    private LoopbackServer? _server;

    public string Url => (_server ?? throw new InvalidOperationException("Not started.")).Url;

    public string SendGridWebhookUrl => $"{Url}/api/{SendGridWebhookEndpoint.Route}";

    public string NotifyCallbackUrl => $"{Url}/api/{NotifyCallbackEndpoint.Route}";

    public string NotifyReturnedLetterUrl => $"{Url}/api/{NotifyReturnedLetterEndpoint.Route}";

    public string OutcomesUrl => $"{Url}/api/{OutcomeEndpoint.Route}";

    public async Task<LocalReceiptsServer> StartAsync()
    {
        _server = await LoopbackServer.StartAsync(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = (request.Path.Value ?? string.Empty).TrimEnd('/');
        if (path == $"/api/{OutcomeEndpoint.Route}" && outcomes is not null)
        {
            await WriteAsync(context, await outcomes.HandleAsync(request.Method, request.Path.Value ?? string.Empty, request.QueryString.Value ?? string.Empty, request.Body, request.ContentLength,
                name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, context.RequestAborted));
            return;
        }

        Func<Stream, long?, Func<string, string?>, CancellationToken, Task<Referrals.Pipeline.Tallies.EndpointResponse>>? endpoint =
            path == $"/api/{SendGridWebhookEndpoint.Route}" ? sendGrid.HandleAsync
            : path == $"/api/{NotifyCallbackEndpoint.Route}" ? notify.HandleAsync
            : path == $"/api/{NotifyReturnedLetterEndpoint.Route}" && returnedLetter is not null ? returnedLetter.HandleAsync
            : null;
        if (endpoint is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            context.Response.Headers.Allow = "POST";
            return;
        }

        await WriteAsync(context, await endpoint(request.Body, request.ContentLength, name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null, context.RequestAborted));
    }

    private static async Task WriteAsync(HttpContext context, Referrals.Pipeline.Tallies.EndpointResponse answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        if (answer.RetryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }
}
