using System.Collections.Specialized;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Dashboard;

/// <summary>
/// The OPCC's dashboard: <c>GET /api/dashboard</c> (the page), <c>/api/dashboard/{app.js,app.css}</c> (its assets, from
/// this assembly: nothing from a CDN) and <c>/api/dashboard/data?…</c> (the tallies endpoint's own answer). In Azure
/// every request passes <see cref="SignIn.SignInGate.Dashboard"/> first (a signed-in person with the dashboard's app
/// role); the page holds no function key and needs none. Locally, on loopback, there is no sign-in.
/// </summary>
public sealed class DashboardEndpoint(TalliesEndpoint tallies, Status.OperationsStatus status)
{
    public const string Route = "dashboard";

    /// <summary>Only what the page itself serves: no inline script or style, no other origin, never framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        [""] = ("index.html", "text/html; charset=utf-8"),
        ["app.js"] = ("app.js", "text/javascript; charset=utf-8"),
        ["app.css"] = ("app.css", "text/css; charset=utf-8"),
        ["status.js"] = ("status.js", "text/javascript; charset=utf-8"), // issue 29: the operators' section
    };

    /// <param name="path">The path after <c>/api/dashboard</c>, without its leading slash.</param>
    /// <param name="unsuppressed">The reader carries the unsuppressed app role (<see cref="TalliesEndpoint.HandleAsync"/>).</param>
    public async Task<EndpointResponse> HandleAsync(string? path, NameValueCollection query, bool unsuppressed, CancellationToken cancellationToken)
    {
        path = (path ?? string.Empty).Trim('/');
        if (path == "data")
        {
            return await tallies.HandleAsync(query, null, unsuppressed, cancellationToken);
        }

        if (path == "status")
        {
            // Issue 29: the operators' section. The pause as the app last reported it; schedules as the timers recorded them.
            return new EndpointResponse(200, "application/json; charset=utf-8", Status.StatusJson.Of(await status.ReadAsync(pausedNow: null, schedulesFromRows: true, cancellationToken)));
        }

        return Assets.TryGetValue(path, out var asset)
            ? new EndpointResponse(200, asset.ContentType, Read(asset.Resource))
            : new EndpointResponse(404, "text/plain; charset=utf-8", "Not found."u8.ToArray());
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream($"dashboard/{resource}")
            ?? throw new InvalidOperationException($"The dashboard asset {resource} is not embedded in the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
