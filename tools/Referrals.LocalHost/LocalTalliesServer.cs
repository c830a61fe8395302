using System.Net;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// The OPCC's endpoint and dashboard on a local run: GET {Url}/api/tallies and {Url}/api/dashboard on loopback only,
/// answered by the Functions app's own <see cref="TalliesEndpoint"/> and <see cref="DashboardEndpoint"/>. Loopback has
/// no sign-in: the dashboard's role check is App Service authentication's, in Azure.
/// </summary>
public sealed class LocalTalliesServer(TalliesEndpoint endpoint, DashboardEndpoint? dashboard = null) : IAsyncDisposable
{
    private LoopbackListener? _listener;

    public string Url => (_listener ?? throw new InvalidOperationException("Not started.")).Url;

    public string DashboardUrl => $"{Url}/api/{DashboardEndpoint.Route}";

    public LocalTalliesServer Start()
    {
        _listener = new LoopbackListener(HandleAsync);
        return this;
    }

    public ValueTask DisposeAsync() => _listener?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        var dashboardPrefix = $"/api/{DashboardEndpoint.Route}";
        var isTallies = path.TrimEnd('/') == $"/api/{TalliesEndpoint.Route}";
        var isDashboard = dashboard is not null && (path == dashboardPrefix || path.StartsWith(dashboardPrefix + "/", StringComparison.Ordinal));
        if (!isTallies && !isDashboard)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.HttpMethod != "GET")
        {
            context.Response.StatusCode = 405;
            context.Response.AddHeader("Allow", "GET");
            return;
        }

        var answer = isTallies
            ? await endpoint.HandleAsync(request.QueryString, request.Headers["Accept"], CancellationToken.None)
            : await dashboard!.HandleAsync(path[dashboardPrefix.Length..], request.QueryString, null, requireSignIn: false, CancellationToken.None);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in EndpointHeaders.Of(answer))
        {
            if (name == "Content-Type")
            {
                context.Response.ContentType = value;
            }
            else
            {
                context.Response.AddHeader(name, value);
            }
        }

        await context.Response.OutputStream.WriteAsync(answer.Body);
    }
}
