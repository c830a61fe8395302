using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.SignIn;

namespace Referrals.Functions;

/// <summary>
/// <c>GET /api/health</c>: 200 when every timer ran on schedule, the records system is sending and sign-in is on; 503
/// with the reasons otherwise (docs/operations.md). Outside platform sign-in (authsettingsV2 excludedPaths) so Azure
/// Monitor's availability test can probe it, behind a function key; no personal data.
/// </summary>
public sealed class GetHealth(HealthEndpoint endpoint, SignInGate gate)
{
    [Function(nameof(GetHealth))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = HealthEndpoint.Route)] HttpRequestData request, CancellationToken cancellationToken) =>
        await WebhookRequests.RespondAsync(request, await endpoint.HandleAsync([gate.Health()], cancellationToken), cancellationToken);
}
