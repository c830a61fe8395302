using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>
/// The OPCC's pull: <c>GET /api/tallies?from=2026-04&amp;to=2027-03</c> (or <c>?quarter=2026-27-Q3</c>), JSON or CSV. A
/// function key per OPCC client, and a token of the sign-in app registration carrying the tallies API's app role (the
/// one sign-in gate); aggregates only.
/// </summary>
public sealed class GetTallies(TalliesEndpoint endpoint, SignInGate gate)
{
    [Function(nameof(GetTallies))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = TalliesEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var principal = WebhookRequests.Header(request, ClientPrincipal.Header);
        var answer = gate.TalliesApi(principal)
            ?? await endpoint.HandleAsync(System.Web.HttpUtility.ParseQueryString(request.Url.Query), WebhookRequests.Header(request, "Accept"), gate.Unsuppressed(principal), cancellationToken);
        return await EndpointResponses.WriteAsync(request, answer, cancellationToken);
    }
}
