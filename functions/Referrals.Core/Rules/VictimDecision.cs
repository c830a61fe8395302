using Referrals.Contact;
using Referrals.State;

namespace Referrals.Rules;

/// <summary>
/// Whether and how the entitlement email goes out. <see cref="Address"/> is the recipient's address when
/// it is sent: personal data, never logged or written to the dry-run output.
/// </summary>
public sealed record EmailDecision(bool Send, EmailRecipient? Recipient, MessageReason? Reason, string? Address)
{
    /// <summary>
    /// Rulebook section 8's email reasons, in the order they are checked (revision 1.1 adds FamilyLiaison, checked
    /// first): those the email channel's plan line can give, each tallied as EmailSuppressed.
    /// </summary>
    public static readonly IReadOnlyList<MessageReason> Reasons =
        [MessageReason.FamilyLiaison, MessageReason.NoSafeRecipient, MessageReason.NoEmailAddress, MessageReason.UnsafeToContact, MessageReason.NotConfirmedSafe];

    public static EmailDecision SendTo(EmailRecipient recipient, string address) => new(true, recipient, null, address);

    public static EmailDecision Suppress(MessageReason reason) => new(false, null, reason, null);
}

/// <summary>What the rules decided for one victim of one snapshot, with every reason (rulebook section 8).</summary>
/// <param name="Email">The email line of <paramref name="Contact"/>, as rulebook v1 has it.</param>
/// <param name="Contact">Rulebook 1.1 section 6: each channel, safe or why not.</param>
/// <param name="Held">The crime carries HoldContact (section 9): decided and counted, but nothing is sent until the hold is lifted.</param>
/// <param name="RecordedOn">The crime's recorded date (Europe/London): the working days to inform the victim count from it.</param>
public sealed record VictimDecision(
    string EventId,
    string CrimeReference,
    long CrimeVersion,
    string VictimId,
    IReadOnlyList<Category> Categories,
    Pathway Pathway,
    ReferralOutcome Referral,
    IReadOnlyList<string> Services,
    IReadOnlyList<string> EligibleServices,
    bool SingleSessionOffer,
    bool EnhancedRights,
    EmailDecision Email,
    DateOnly ReferralDueBy,
    IReadOnlyList<string> Reasons,
    ContactPlan Contact,
    bool Held,
    DateOnly RecordedOn)
{
    public bool IsChild => Categories.Contains(Category.Child);
}
