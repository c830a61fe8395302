namespace Referrals.State;

/// <summary>
/// Rulebook section 9, the one hold decision: while the crime carries HoldContact nothing leaves for its victims (no
/// entitlement message, referral, withdrawal or Victim Care Unit task); decisions, state and tallies go on, and the
/// snapshot that lifts the hold hands on everything the state then asks for. Every step asks this, never the flag.
/// </summary>
public static class HoldRule
{
    /// <summary>The words a step gives for waiting: a delivery's reason while it waits unsent.</summary>
    public const string Reason = "held: the crime carries HoldContact";

    public static bool IsHeld(VictimState victim) => victim.Contact.Held;

    /// <summary>
    /// An erased victim is never decided again, but their erasure and task withdrawal notices are held like any delivery
    /// (rulebook 1.2 section 11): each snapshot's hold, set or lifted, is still copied to their row, so the notices go when
    /// it lifts. The same state when the hold is unchanged.
    /// </summary>
    public static VictimState Follow(VictimState erased, bool held, DateTimeOffset now) =>
        erased.Contact.Held == held ? erased : erased with { Contact = erased.Contact with { Held = held }, UpdatedAt = now };
}
