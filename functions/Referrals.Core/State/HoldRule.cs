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
}
