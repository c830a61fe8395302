namespace Referrals.Contract;

/// <summary>One snapshot of a crime record and all its victims (crime-event contract v1, revision 1.1).</summary>
public sealed record CrimeEvent(
    int SchemaVersion,
    string EventId,
    DateTimeOffset SentAt,
    Crime Crime,
    IReadOnlyList<Victim> Victims);

public sealed record Crime(
    string Reference,
    long Version,
    DateTimeOffset RecordedAt,
    Offence Offence,
    IReadOnlyList<string> Flags,
    OfficerInCase? OfficerInCase);

public sealed record Offence(string HomeOfficeCode, string? Description);

public sealed record OfficerInCase(string? Name, string? Email, string? Phone);

/// <summary>
/// One victim. <see cref="Address"/> (revision 1.1) is null when absent and <c>IsValid == false</c> when
/// malformed, which the rules treat as absent; <see cref="Email"/> is as sent and valid only when
/// <see cref="Referrals.Rules.EmailAddress.TryNormalise"/> says so.
/// </summary>
public sealed record Victim(
    string Id,
    string? Title,
    string? GivenName,
    string? FamilyName,
    DateOnly? DateOfBirth,
    string? Email,
    bool? EmailSafe,
    string? Phone,
    bool? PhoneSafe,
    string? PreferredLanguage,
    bool Vulnerable,
    bool Intimidated,
    bool BereavedRelative,
    SupportAnswer Support,
    ParentOrGuardian? ParentOrGuardian,
    PostalAddress? Address = null,
    bool? AddressSafe = null);

/// <summary>
/// A child victim's parent or guardian. <see cref="IsSuspect"/> is null when the record does not say,
/// which the rules treat as "may be a suspect". Revision 1.1 adds the phone and postal address.
/// </summary>
public sealed record ParentOrGuardian(
    string? Name,
    string? Email,
    bool? EmailSafe,
    bool? IsSuspect,
    string? Phone = null,
    bool? PhoneSafe = null,
    PostalAddress? Address = null,
    bool? AddressSafe = null);

/// <summary>What the victim has said so far about being referred to support services.</summary>
public enum SupportAnswer
{
    NotAsked,
    Accepted,
    Declined,
}
