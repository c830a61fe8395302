namespace Referrals.Contact;

/// <summary>Rulebook 1.1 section 6: the channels of the entitlement information, in the order they are tried. Stored by name.</summary>
public enum Channel
{
    Email,
    Sms,
    Letter,
}

/// <summary>Why a channel is not safe, checked in this order (rulebook 1.1 section 6). Stored and tallied by name.</summary>
public enum ChannelReason
{
    /// <summary>A bereaved relative after a homicide: the family liaison officer gives the information in person, on every channel.</summary>
    FamilyLiaison,
    NoSafeRecipient,
    NoEmailAddress,
    NoMobileNumber,
    NoPostalAddress,
    UnsafeToContact,
    NotConfirmedSafe,
}
