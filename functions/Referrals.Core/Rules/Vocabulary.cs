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
