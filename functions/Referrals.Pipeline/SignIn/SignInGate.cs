using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Referrals.Health;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.SignIn;

/// <summary>
/// The one authorisation path of every page for people (the dashboard, the worklist) and every API for partners behind platform
/// sign-in (the tallies), checked on each request. App Service authentication (Entra ID) signs the caller in and passes
/// them on in <see cref="ClientPrincipal.Header"/>; that header is trusted only while the platform says authentication
/// is on (<see cref="SignInOptions.PlatformSetting"/>), since without it anyone can send the header themselves. Then the
/// door's app role is required. Locally, on loopback, the hosts do not call it: there is no sign-in there.
/// </summary>
public sealed partial class SignInGate(IConfiguration configuration, IOptions<SignInOptions> options)
{
    /// <summary>App Service authentication's sign-in route for Entra ID.</summary>
    public const string LoginPath = "/.auth/login/aad";

    public bool PlatformSignInIsOn => bool.TryParse(configuration[SignInOptions.PlatformSetting], out var on) && on;

    /// <summary>Null to let the request through; else the answer: a browser not signed in is sent to sign in.</summary>
    /// <param name="accept">The request's Accept header: a page asked for by a browser (text/html) is redirected, anything else gets 401.</param>
    /// <param name="pathAndQuery">Where to come back to after signing in (the request's own path).</param>
    public EndpointResponse? Dashboard(string? principal, string? accept, string pathAndQuery) =>
        Check(principal, nameof(SignInOptions.DashboardRole), options.Value.DashboardRole,
            accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true ? pathAndQuery : null);

    /// <summary>
    /// Null to let the request through to the Victim Care Unit's worklist; else the answer. A browser asking for the page
    /// (GET, text/html) is sent to sign in; a form posted without a sign-in gets 401 (never a redirect: nothing is done).
    /// </summary>
    public EndpointResponse? Worklist(string? principal, string? accept, string method, string pathAndQuery) =>
        Check(principal, nameof(SignInOptions.VictimCareUnitRole), options.Value.VictimCareUnitRole,
            method == "GET" && accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true ? pathAndQuery : null);

    /// <summary>Null to let the request through; else 401, 403 or 503. An API is never redirected.</summary>
    public EndpointResponse? TalliesApi(string? principal) =>
        Check(principal, nameof(SignInOptions.TalliesApiRole), options.Value.TalliesApiRole, null);

    /// <summary>
    /// Whether the caller, let through already, may see small counts: the platform signed them in and they carry
    /// <see cref="SignInOptions.UnsuppressedTalliesRole"/>. Anything less (no principal, sign-in off, an unusable role
    /// setting) gets the configured suppression.
    /// </summary>
    public bool Unsuppressed(string? principal) =>
        PlatformSignInIsOn && IsRole(options.Value.UnsuppressedTalliesRole) && ClientPrincipal.Check(principal, options.Value.UnsuppressedTalliesRole) == ClientPrincipal.Access.Allowed;

    /// <summary>What keeps the doors closed to everyone, for the health endpoint: sign-in off, or a role setting that cannot be a role.</summary>
    public HealthCheck Health()
    {
        var problems = new List<string>();
        if (!PlatformSignInIsOn)
        {
            problems.Add($"App Service authentication is off ({SignInOptions.PlatformSetting} is not true): the dashboard, the worklist and the tallies API refuse everyone");
        }

        problems.AddRange(Roles().Where(r => !IsRole(r.Value)).Select(r => $"{SignInOptions.Section}:{r.Setting} is not an app role value: its door refuses everyone"));
        return problems.Count == 0
            ? new("sign-in", true, $"App Service authentication is on; roles: {string.Join(", ", Roles().Select(r => $"{r.Setting} {r.Value}"))}")
            : new("sign-in", false, string.Join("; ", problems));
    }

    private IEnumerable<(string Setting, string Value)> Roles() =>
        [(nameof(SignInOptions.DashboardRole), options.Value.DashboardRole), (nameof(SignInOptions.VictimCareUnitRole), options.Value.VictimCareUnitRole), (nameof(SignInOptions.TalliesApiRole), options.Value.TalliesApiRole)];

    private EndpointResponse? Check(string? principal, string setting, string role, string? signInReturnPath)
    {
        if (!PlatformSignInIsOn)
        {
            return TalliesEndpoint.Problem("Sign-in (App Service authentication) is not switched on for this app, so nobody can be let in. An operator: see docs/operations.md, \"Sign-in\".", 503);
        }

        if (!IsRole(role))
        {
            return TalliesEndpoint.Problem($"The app role setting {SignInOptions.Section}:{setting} is not an app role value, so nobody can be let in. An operator: see docs/operations.md, \"Sign-in\".", 503);
        }

        return ClientPrincipal.Check(principal, role) switch
        {
            ClientPrincipal.Access.NotSignedIn when signInReturnPath is not null => SignInRedirect(signInReturnPath),
            ClientPrincipal.Access.NotSignedIn => TalliesEndpoint.Problem("Sign in with your organisation's account (or send a token for the app registration).", 401),
            ClientPrincipal.Access.NoRole => TalliesEndpoint.Problem($"Your account does not have the app role {role}; ask the app's owner to assign it.", 403),
            _ => null,
        };
    }

    /// <summary>To the platform's sign-in, then back to the same page: only a path on this site (never another host).</summary>
    private static EndpointResponse SignInRedirect(string pathAndQuery)
    {
        var back = pathAndQuery.StartsWith('/') && !pathAndQuery.StartsWith("//", StringComparison.Ordinal) && !pathAndQuery.StartsWith("/\\", StringComparison.Ordinal) ? pathAndQuery : "/";
        return new EndpointResponse(302, "text/plain; charset=utf-8", "Sign in to continue."u8.ToArray())
        {
            Location = $"{LoginPath}?post_login_redirect_uri={Uri.EscapeDataString(back)}",
        };
    }

    private static bool IsRole(string? value) => value is not null && RoleValue().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,120}$")]
    private static partial Regex RoleValue();
}
