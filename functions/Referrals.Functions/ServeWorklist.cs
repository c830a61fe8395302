using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Worklist;

namespace Referrals.Functions;

/// <summary>
/// The Victim Care Unit's worklist: <c>GET /api/worklist[?view=…&amp;kind=…]</c>, its stylesheet, and the plain HTML forms'
/// <c>POST /api/worklist/tasks/{id}/{claim|release|close}</c>. No function key: App Service authentication signs the person
/// in, the sign-in gate requires the VictimCareUnit app role on every request, and the endpoint acts on a post only with
/// its anti-forgery token. The audit trail names the signed-in person.
/// </summary>
public sealed class ServeWorklist(WorklistEndpoint endpoint, SignInGate gate)
{
    [Function(nameof(ServeWorklist))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = WorklistEndpoint.Route + "/{*path}")] HttpRequestData request, string? path, CancellationToken cancellationToken)
    {
        var principal = WebhookRequests.Header(request, ClientPrincipal.Header);
        var refusal = gate.Worklist(principal, WebhookRequests.Header(request, "Accept"), request.Method.ToUpperInvariant(), request.Url.PathAndQuery);
        if (refusal is null && ClientPrincipal.Who(principal) is { } person)
        {
            var body = await WorklistEndpoint.ReadBodyAsync(request.Body, cancellationToken);
            var worklist = new WorklistRequest(request.Method.ToUpperInvariant(), path, System.Web.HttpUtility.ParseQueryString(request.Url.Query),
                WebhookRequests.Header(request, "Cookie"), WebhookRequests.Header(request, "Sec-Fetch-Site"), body, person, Https: true);
            return await EndpointResponses.WriteAsync(request, await endpoint.HandleAsync(worklist, cancellationToken), cancellationToken);
        }

        return await EndpointResponses.WriteAsync(request, refusal ?? WorklistEndpoint.NobodyNamed, cancellationToken);
    }
}
