using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Receipts;

namespace Referrals.Functions;

/// <summary>
/// GOV.UK Notify's delivery-receipt callbacks. A function key (in the callback URL, <c>?code=</c>) and the bearer token
/// Notify is configured with; App Service authentication lets this path through to them (authsettingsV2 excludedPaths).
/// </summary>
public sealed class ReceiveNotifyCallback(NotifyCallbackEndpoint endpoint)
{
    [Function(nameof(ReceiveNotifyCallback))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = NotifyCallbackEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var answer = await endpoint.HandleAsync(request.Body, WebhookRequests.DeclaredLength(request), name => WebhookRequests.Header(request, name), cancellationToken);
        return await WebhookRequests.RespondAsync(request, answer, cancellationToken);
    }
}
