using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Configuration;

/// <summary>How tallies become final. Who may read them: <see cref="SignIn.SignInOptions"/>.</summary>
public sealed class TalliesOptions
{
    public const string Section = "Tallies";

    /// <summary>
    /// A month is final once it ended more than this many days ago and was recounted after that (docs/tallies.md).
    /// Ten days by default: late deliveries and an operator's replays of last month's rejected messages land by then.
    /// </summary>
    [Range(1, 60)]
    public int FinalAfterDays { get; set; } = 10;

    /// <summary>
    /// Small-count suppression enforced by the server (rulebook 1.2 section 12, docs/tallies.md): every reader of the tallies
    /// endpoint and the dashboard without the app role <see cref="SignIn.SignInOptions.UnsuppressedTalliesRole"/> gets figures
    /// below this hidden, whatever it asks for (it may ask for more). 5 by default.
    /// </summary>
    [Range(2, 100)]
    public int SuppressBelow { get; set; } = 5;
}
