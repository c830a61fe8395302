using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Outcomes;

namespace Referrals.Functions;

/// <summary>
/// The outcome API for services (docs/outcomes.md): a function key (one named per service) and the service's HMAC
/// signature; App Service authentication lets this path through to them (authsettingsV2 excludedPaths).
/// </summary>
public sealed class ReportOutcomes(OutcomeEndpoint endpoint)
{
    [Function(nameof(ReportOutcomes))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = OutcomeEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var answer = await endpoint.HandleAsync(request.Method, request.Url.AbsolutePath, request.Url.Query, request.Body, WebhookRequests.DeclaredLength(request), name => WebhookRequests.Header(request, name), cancellationToken);
        return await EndpointResponses.WriteAsync(request, answer, cancellationToken);
    }
}
