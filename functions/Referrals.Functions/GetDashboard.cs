using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Dashboard;

namespace Referrals.Functions;

/// <summary>
/// The OPCC's dashboard and the data it reads: <c>GET /api/dashboard[/app.js|/app.css|/data?…]</c>. No function key
/// (the page must never hold one): App Service authentication signs the user in with Entra ID, and the endpoint
/// checks the dashboard's app role in the principal header the platform passes on.
/// </summary>
public sealed class GetDashboard(DashboardEndpoint endpoint)
{
    [Function(nameof(GetDashboard))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DashboardEndpoint.Route + "/{*path}")] HttpRequestData request, string? path, CancellationToken cancellationToken)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Url.Query);
        var principal = request.Headers.TryGetValues(ClientPrincipal.Header, out var values) ? values.FirstOrDefault() : null;
        var answer = await endpoint.HandleAsync(path, query, principal, requireSignIn: true, cancellationToken);
        return await EndpointResponses.WriteAsync(request, answer, cancellationToken);
    }
}
