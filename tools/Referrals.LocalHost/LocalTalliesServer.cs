using System.Net;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// The OPCC's endpoint and dashboard on a local run: GET {Url}/api/tallies, {Url}/api/dashboard and {Url}/api/health on
/// loopback only, answered by the Functions app's own <see cref="TalliesEndpoint"/>, <see cref="DashboardEndpoint"/> and
/// <see cref="HealthEndpoint"/>. Loopback has no sign-in (<see cref="NoSignIn"/>): in Azure, the Functions app puts every
/// request of the dashboard and the tallies through the sign-in gate (Entra ID and an app role).
/// </summary>
public sealed class LocalTalliesServer(TalliesEndpoint endpoint, DashboardEndpoint? dashboard = null, HealthEndpoint? health = null) : IAsyncDisposable
{
    /// <summary>What a person starting the local server is told.</summary>
    public const string NoSignIn = "Loopback only, without sign-in: anyone on this machine can read these pages. In Azure they need an Entra ID sign-in and an app role.";

    private LoopbackListener? _listener;

    public string Url => (_listener ?? throw new InvalidOperationException("Not started.")).Url;

    public string DashboardUrl => $"{Url}/api/{DashboardEndpoint.Route}";

    public string HealthUrl => $"{Url}/api/{HealthEndpoint.Route}";

    public bool ServesHealth => health is not null;

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
        var isHealth = health is not null && path.TrimEnd('/') == $"/api/{HealthEndpoint.Route}";
        if (!isTallies && !isDashboard && !isHealth)
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

        var answer = isTallies ? await endpoint.HandleAsync(request.QueryString, request.Headers["Accept"], CancellationToken.None)
            : isHealth ? await health!.HandleAsync([], CancellationToken.None)
            : await dashboard!.HandleAsync(path[dashboardPrefix.Length..], request.QueryString, CancellationToken.None);
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
