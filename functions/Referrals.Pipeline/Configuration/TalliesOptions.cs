using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Configuration;

/// <summary>How tallies become final, and who may read the dashboard.</summary>
public sealed class TalliesOptions
{
    public const string Section = "Tallies";

    /// <summary>
    /// A month is final once it ended more than this many days ago and was recounted after that (docs/tallies.md).
    /// Ten days by default: late deliveries and an operator's replays of last month's rejected messages land by then.
    /// </summary>
    [Range(1, 60)]
    public int FinalAfterDays { get; set; } = 10;

    /// <summary>The Entra ID app role a signed-in user needs to see the dashboard and its data (App Service authentication's principal header).</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,120}$", ErrorMessage = "Tallies:DashboardRole must be an app role value (letters, digits, '.', '_', '-').")]
    public string DashboardRole { get; set; } = "Tallies.Read";
}
