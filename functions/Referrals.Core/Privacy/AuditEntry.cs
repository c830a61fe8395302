namespace Referrals.Privacy;

/// <summary>What an audit entry records: a change of a victim's state, or an operator's action on it.</summary>
public enum AuditAction
{
    /// <summary>A snapshot was applied: the rules' decision and what history made of it.</summary>
    Snapshot,

    /// <summary>The entitlement email's state changed.</summary>
    Email,

    /// <summary>A delivery (referral, withdrawal, Victim Care Unit task) changed.</summary>
    Delivery,

    /// <summary>An operator replayed a failed email or delivery.</summary>
    Replay,

    /// <summary>An operator erased the victim's personal data.</summary>
    Erase,

    /// <summary>An operator exported everything held about the victim.</summary>
    SubjectAccess,

    /// <summary>The retention function removed the victim's personal data.</summary>
    Purge,

    /// <summary>An operator claimed, released or closed a Victim Care Unit task (rulebook 1.2 section 10).</summary>
    Task,

    /// <summary>A service reported what happened to a referral, by its API or through the Unit (rulebook 1.2 section 11).</summary>
    Outcome,
}

/// <summary>
/// One entry of a victim's audit trail. It never holds a name, contact detail, date of birth or a partner's answer:
/// only ids, statuses, dates, service ids and the rules' reasons (which never quote a value).
/// </summary>
/// <param name="Facts">What the state is after the change, as "name: value" lines; a changed value reads "name: old → new".</param>
/// <param name="Operator">Who ran an operator command; null for the pipeline's own changes.</param>
public sealed record AuditEntry(
    string VictimId,
    DateTimeOffset At,
    AuditAction Action,
    string? EventId,
    long? CrimeVersion,
    string? RulesVersion,
    IReadOnlyList<string> Facts,
    IReadOnlyList<string> Reasons,
    string? Operator = null);
