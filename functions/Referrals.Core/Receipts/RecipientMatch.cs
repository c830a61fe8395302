namespace Referrals.Receipts;

/// <summary>One of our emails delivered to an address and awaiting any later receipt (a row of the recipient index).</summary>
public sealed record AwaitingEmail(string CrimeReference, string VictimId, DateTimeOffset DeliveredAt);

/// <summary>What an asynchronous bounce with neither our custom arg nor our token in <c>smtp-id</c> is matched to.</summary>
public enum RecipientMatchOutcome
{
    /// <summary>Exactly one of our emails to that address awaits receipts in the window: the bounce is about it.</summary>
    Matched,

    /// <summary>None does: nothing is applied, the event is counted and the operator alerted.</summary>
    None,

    /// <summary>More than one does (two victims' emails to one parent's address): nothing is applied, counted, alerted.</summary>
    Ambiguous,
}

/// <summary>
/// Issue 22: an asynchronous bounce that lost the custom args and carries no token in <c>smtp-id</c> is matched by its
/// recipient address only when exactly one of our emails to that address was delivered within <see cref="Window"/>
/// before it (a bounce follows its delivery; SendGrid retries a deferred email for up to 72 hours, so a week is ample).
/// Pure: the candidates are the recipient index's rows for the address's keyed hash.
/// </summary>
public static class RecipientMatch
{
    /// <summary>How long after its delivery an email can still bounce and be matched by its address.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>A delivery reported a little after the bounce (clocks, batches) still counts.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    public static (RecipientMatchOutcome Outcome, AwaitingEmail? Email, string Reason) Of(IEnumerable<AwaitingEmail> candidates, DateTimeOffset bouncedAt)
    {
        var inWindow = candidates
            .Where(c => c.DeliveredAt > bouncedAt - Window && c.DeliveredAt <= bouncedAt + Skew)
            .DistinctBy(c => (c.CrimeReference, c.VictimId))
            .ToList();
        return inWindow switch
        {
            [var only] => (RecipientMatchOutcome.Matched, only, "exactly one email to the address awaits receipts"),
            [] => (RecipientMatchOutcome.None, null, "no email to the address awaits receipts in the window"),
            _ => (RecipientMatchOutcome.Ambiguous, null, $"{inWindow.Count} emails to the address await receipts in the window"),
        };
    }
}
