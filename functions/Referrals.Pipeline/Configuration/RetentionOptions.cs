using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Configuration;

/// <summary>
/// How long each kind of data is kept (docs/privacy.md, "Retention"): days, counted from the data's last change. The
/// periods are written here only: Bicep and local.settings.example.json leave them out, and a deployment sets
/// <c>Retention__*</c> only to override one.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>A crime's personal data (its snapshot, partners' answers): 13 months after the crime's last change.</summary>
    [Range(1, 36500)]
    public int PersonalDataDays { get; set; } = 395;

    /// <summary>Dead letters, replayed or not: after they were first seen.</summary>
    [Range(1, 36500)]
    public int DeadLetterDays { get; set; } = 90;

    /// <summary>The audit trail and the state rows without personal data: 7 years after the change.</summary>
    [Range(1, 36500)]
    public int AuditDays { get; set; } = 2557;
}
