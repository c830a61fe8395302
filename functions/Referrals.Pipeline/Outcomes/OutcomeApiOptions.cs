using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Outcomes;

/// <summary>
/// The outcome API's settings (docs/outcomes.md). Each service's secrets are Key Vault references in Azure
/// (<c>Outcomes__Services__general__Secret</c>, <c>…__NextSecret</c>): both are valid at once, so a secret is rotated
/// without a gap. A service with no secret configured is refused (401): closed, never open.
/// </summary>
public sealed class OutcomeApiOptions
{
    public const string Section = "Outcomes";

    public Dictionary<string, ServiceSecrets> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How far a request's timestamp may be from now, either way.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:15:00")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Reports in one POST at most.</summary>
    [Range(1, 1000)]
    public int MaxReports { get; set; } = 100;

    /// <summary>Body size at most, in bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Requests a service may make a minute (per instance of the app); more get 429 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 120;
}

/// <summary>One service's secrets: the one in force and the next (or the previous one, while services move over).</summary>
public sealed class ServiceSecrets
{
    public string? Secret { get; set; }

    public string? NextSecret { get; set; }
}
