using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Deadlines;

/// <summary>The deadline watch (issue 29, docs/operations.md): when a referral not yet delivered becomes at risk, and how far back late ones are listed.</summary>
public sealed class DeadlineOptions
{
    public const string Section = "Deadlines";

    /// <summary>Europe/London time on the working day before a referral is due from which it is at risk if not delivered.</summary>
    public TimeOnly AtRiskAt { get; set; } = new(12, 0);

    /// <summary>How many days after its due date an undelivered referral is still looked at (and listed as late).</summary>
    [Range(1, 366)]
    public int LookBackDays { get; set; } = 31;
}
