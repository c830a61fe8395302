using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Receipts;

namespace Referrals.Functions;

/// <summary>
/// GOV.UK Notify's returned-letter callback. A function key (in the callback URL, <c>?code=</c>) and the returned-letter
/// callback's own bearer token; App Service authentication lets this path through to them (authsettingsV2 excludedPaths).
/// </summary>
public sealed class ReceiveNotifyReturnedLetter(NotifyReturnedLetterEndpoint endpoint)
{
    [Function(nameof(ReceiveNotifyReturnedLetter))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = NotifyReturnedLetterEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var answer = await endpoint.HandleAsync(request.Body, WebhookRequests.DeclaredLength(request), name => WebhookRequests.Header(request, name), cancellationToken);
        return await WebhookRequests.RespondAsync(request, answer, cancellationToken);
    }
}
