namespace Referrals.Contract;

/// <summary>Either a valid snapshot or the reason it was refused; never an exception.</summary>
public sealed record ParseResult
{
    private ParseResult(CrimeEvent? snapshot, string? eventId, string? reason)
    {
        Snapshot = snapshot;
        EventId = eventId;
        Reason = reason;
    }

    public CrimeEvent? Snapshot { get; }

    /// <summary>The snapshot's eventId when one could be read, even from a refused message.</summary>
    public string? EventId { get; }

    /// <summary>Why the message was refused; null when it was accepted.</summary>
    public string? Reason { get; }

    public bool IsValid => Snapshot is not null;

    public static ParseResult Valid(CrimeEvent snapshot) => new(snapshot, snapshot.EventId, null);

    public static ParseResult Rejected(string? eventId, string reason) => new(null, eventId, reason);
}
