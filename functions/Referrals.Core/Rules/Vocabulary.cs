namespace Referrals.Rules;

/// <summary>Rulebook section 1, plus <see cref="Child"/> for a victim under 18 (section 8's categories).</summary>
public enum Category
{
    SexualOffence,
    DomesticAbuse,
    Stalking,
    Harassment,
    RoadDeath,
    Unclassified,
    Child,
}

public enum Pathway
{
    OptOut,
    Consent,
}

/// <summary>Rulebook section 3, for one snapshot.</summary>
public enum ReferralOutcome
{
    AutoReferred,
    OptedOut,
    AwaitingConsent,
    Referred,
    Declined,
}

public enum EmailRecipient
{
    Victim,
    ParentOrGuardian,
}

/// <summary>
/// Rulebook section 6: why no entitlement email is sent, checked in this order (revision 1.1 adds
/// <see cref="FamilyLiaison"/>, checked first). Stored and tallied by name, never by number.
/// </summary>
public enum EmailSuppression
{
    FamilyLiaison,
    NoSafeRecipient,
    NoEmailAddress,
    UnsafeToContact,
    NotConfirmedSafe,
}
