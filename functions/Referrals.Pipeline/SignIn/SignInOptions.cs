namespace Referrals.Pipeline.SignIn;

/// <summary>
/// Who may use the app's pages for people and its APIs for partners: one app role (of the sign-in app registration,
/// docs/operations.md, "Deploy to Azure") per door. Not validated at start-up: a wrong value closes the door it guards (503, and the health
/// endpoint names it), never the queues and timers.
/// </summary>
public sealed class SignInOptions
{
    public const string Section = "SignIn";

    /// <summary>
    /// Set by App Service itself (read-only; "True" when App Service authentication is on), never by us: the one proof
    /// that the platform signed the caller in and removed any client-principal header a client sent.
    /// </summary>
    public const string PlatformSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>The app role a person needs to see the OPCC's dashboard (an Entra ID app role value, e.g. Tallies.Read).</summary>
    public string DashboardRole { get; set; } = "Tallies.Read";

    /// <summary>The app role a person needs to use the Victim Care Unit's worklist (view tasks, claim, release and close them).</summary>
    public string VictimCareUnitRole { get; set; } = "VictimCareUnit";

    /// <summary>The app role an OPCC client application (or person) needs to read GET /api/tallies.</summary>
    public string TalliesApiRole { get; set; } = "Tallies.Read";

    /// <summary>
    /// The app role that lets a reader of the tallies or the dashboard see small counts (or choose its own threshold): the
    /// OPCC's analysts who prepare figures for publication. Everyone else gets <see cref="Configuration.TalliesOptions.SuppressBelow"/>.
    /// </summary>
    public string UnsuppressedTalliesRole { get; set; } = "Tallies.Unsuppressed";
}
