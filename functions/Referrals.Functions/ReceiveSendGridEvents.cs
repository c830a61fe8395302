using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Receipts;

namespace Referrals.Functions;

/// <summary>
/// SendGrid's Event Webhook. A function key (in the webhook URL, <c>?code=</c>) and SendGrid's ECDSA signature; App
/// Service authentication lets this path through to them (authsettingsV2 excludedPaths).
/// </summary>
public sealed class ReceiveSendGridEvents(SendGridWebhookEndpoint endpoint)
{
    [Function(nameof(ReceiveSendGridEvents))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = SendGridWebhookEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var answer = await endpoint.HandleAsync(request.Body, WebhookRequests.DeclaredLength(request), name => WebhookRequests.Header(request, name), cancellationToken);
        return await WebhookRequests.RespondAsync(request, answer, cancellationToken);
    }
}
