using Microsoft.AspNetCore.Http;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Tallies;
using Referrals.StandIns;

namespace Referrals.LocalHost;

/// <summary>
/// The OPCC's endpoint and dashboard on a local run: GET {Url}/api/tallies and {Url}/api/dashboard on loopback (Kestrel,
/// port 0), answered by the Functions app's own <see cref="TalliesEndpoint"/> and <see cref="DashboardEndpoint"/>.
/// Loopback has no sign-in: the dashboard's role check is App Service authentication's, in Azure.
/// </summary>
public sealed class LocalTalliesServer(TalliesEndpoint endpoint, DashboardEndpoint? dashboard = null) : IAsyncDisposable
{
    private LoopbackServer? _server;

    public string Url => (_server ?? throw new InvalidOperationException("Not started.")).Url;

    public string DashboardUrl => $"{Url}/api/{DashboardEndpoint.Route}";

    public async Task<LocalTalliesServer> StartAsync()
    {
        _server = await LoopbackServer.StartAsync(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        var dashboardPrefix = $"/api/{DashboardEndpoint.Route}";
        var isTallies = path.TrimEnd('/') == $"/api/{TalliesEndpoint.Route}";
        var isDashboard = dashboard is not null && (path == dashboardPrefix || path.StartsWith(dashboardPrefix + "/", StringComparison.Ordinal));
        if (!isTallies && !isDashboard)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.Method != "GET")
        {
            context.Response.StatusCode = 405;
            context.Response.Headers.Allow = "GET";
            return;
        }

        var query = System.Web.HttpUtility.ParseQueryString(request.QueryString.Value ?? string.Empty);
        var answer = isTallies
            ? await endpoint.HandleAsync(query, request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : null, context.RequestAborted)
            : await dashboard!.HandleAsync(path[dashboardPrefix.Length..], query, null, requireSignIn: false, context.RequestAborted);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in EndpointHeaders.Of(answer))
        {
            context.Response.Headers.Append(name, value);
        }

        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }
}
