using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>
/// The OPCC's pull: <c>GET /api/tallies?from=2026-04&amp;to=2027-03</c> (or <c>?quarter=2026-27-Q3</c>), JSON or CSV. A
/// function key per OPCC client, and Entra ID authentication in front of the app in production; aggregates only.
/// </summary>
public sealed class GetTallies(TalliesEndpoint endpoint)
{
    [Function(nameof(GetTallies))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = TalliesEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Url.Query);
        var accept = request.Headers.TryGetValues("Accept", out var values) ? string.Join(',', values) : null;
        return await EndpointResponses.WriteAsync(request, await endpoint.HandleAsync(query, accept, cancellationToken), cancellationToken);
    }
}
