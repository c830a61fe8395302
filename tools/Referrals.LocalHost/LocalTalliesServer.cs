using Microsoft.AspNetCore.Http;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Tallies;
using Referrals.Pipeline.Worklist;
using Referrals.StandIns;

namespace Referrals.LocalHost;

/// <summary>
/// The OPCC's endpoint and dashboard on a local run: GET {Url}/api/tallies, {Url}/api/dashboard and {Url}/api/health on
/// loopback only (Kestrel, port 0), answered by the Functions app's own <see cref="TalliesEndpoint"/>, <see cref="DashboardEndpoint"/> and
/// <see cref="HealthEndpoint"/>; and the Victim Care Unit's worklist (GET and its forms' POSTs, {Url}/api/worklist) by
/// <see cref="WorklistEndpoint"/>, as the operator <see cref="LocalOperator"/>. Loopback has no sign-in (<see cref="NoSignIn"/>):
/// in Azure, the Functions app puts every request of these pages and the tallies through the sign-in gate (Entra ID and an app role).
/// </summary>
public sealed class LocalTalliesServer(TalliesEndpoint endpoint, DashboardEndpoint? dashboard = null, HealthEndpoint? health = null, WorklistEndpoint? worklist = null) : IAsyncDisposable
{
    /// <summary>What a person starting the local server is told.</summary>
    public const string NoSignIn = "Loopback only, without sign-in: anyone on this machine can read these pages. In Azure they need an Entra ID sign-in and an app role.";

    /// <summary>Who acts on the local worklist, for its audit entries and its anti-forgery token: the local user, as the CLI's default operator.</summary>
    public static SignedInPerson LocalOperator { get; } = new("local", $"local user {Environment.UserName}");

    /// <summary>
    /// The local reader is the operator who started the run, with the storage account's keys (as `referrals tallies`): it
    /// may see small counts, and choose a threshold itself. In Azure only the unsuppressed app role may.
    /// </summary>
    public const bool LocalReaderUnsuppressed = true;

    private LoopbackServer? _server;

    public string Url => (_server ?? throw new InvalidOperationException("Not started.")).Url;

    public string DashboardUrl => $"{Url}/api/{DashboardEndpoint.Route}";

    public string HealthUrl => $"{Url}/api/{HealthEndpoint.Route}";

    public bool ServesHealth => health is not null;

    public string WorklistUrl => $"{Url}/api/{WorklistEndpoint.Route}";

    public bool ServesWorklist => worklist is not null;

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
        var isHealth = health is not null && path.TrimEnd('/') == $"/api/{HealthEndpoint.Route}";
        var worklistPrefix = $"/api/{WorklistEndpoint.Route}";
        if (worklist is not null && (path == worklistPrefix || path.StartsWith(worklistPrefix + "/", StringComparison.Ordinal)))
        {
            var body = await WorklistEndpoint.ReadBodyAsync(request.Body, context.RequestAborted);
            var asked = new WorklistRequest(request.Method, path[worklistPrefix.Length..], System.Web.HttpUtility.ParseQueryString(request.QueryString.Value ?? string.Empty),
                request.Headers.Cookie.ToString(), request.Headers["Sec-Fetch-Site"].ToString(), body, LocalOperator, Https: false);
            await WriteAsync(context, await worklist.HandleAsync(asked, context.RequestAborted));
            return;
        }

        if (!isTallies && !isDashboard && !isHealth)
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
        var answer = isTallies ? await endpoint.HandleAsync(query, request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : null, LocalReaderUnsuppressed, context.RequestAborted)
            : isHealth ? await health!.HandleAsync([], context.RequestAborted)
            : await dashboard!.HandleAsync(path[dashboardPrefix.Length..], query, LocalReaderUnsuppressed, context.RequestAborted);
        await WriteAsync(context, answer);
    }

    private static async Task WriteAsync(HttpContext context, EndpointResponse answer)
    {
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in EndpointHeaders.Of(answer))
        {
            context.Response.Headers.Append(name, value);
        }

        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }
}
