using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.SignIn;

namespace Referrals.Functions;

/// <summary>
/// The OPCC's dashboard and the data it reads: <c>GET /api/dashboard[/app.js|/app.css|/data?…]</c>. No function key
/// (the page must never hold one): App Service authentication signs the person in with Entra ID, and every request
/// passes the one sign-in gate (platform sign-in on, the dashboard's app role) before anything is read.
/// </summary>
public sealed class GetDashboard(DashboardEndpoint endpoint, SignInGate gate)
{
    [Function(nameof(GetDashboard))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DashboardEndpoint.Route + "/{*path}")] HttpRequestData request, string? path, CancellationToken cancellationToken)
    {
        var principal = WebhookRequests.Header(request, ClientPrincipal.Header);
        var refusal = gate.Dashboard(principal, WebhookRequests.Header(request, "Accept"), request.Url.PathAndQuery);
        var answer = refusal ?? await endpoint.HandleAsync(path, System.Web.HttpUtility.ParseQueryString(request.Url.Query), gate.Unsuppressed(principal), cancellationToken);
        return await EndpointResponses.WriteAsync(request, answer, cancellationToken);
    }
}
