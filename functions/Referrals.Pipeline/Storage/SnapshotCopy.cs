namespace Referrals.Pipeline.Storage;

/// <summary>Where the email and referral steps find the latest snapshot that concerns a victim.</summary>
public enum SnapshotSource
{
    /// <summary>On the crime's row (rows written before victims held copies, and crimes whose copies would not fit one transaction).</summary>
    CrimeRow = 0,

    /// <summary>On the victim's own row: one read serves the state and the snapshot.</summary>
    VictimRow,

    /// <summary>The crime's latest snapshot no longer lists the victim: nothing is composed for them.</summary>
    NotInLatest,
}

/// <summary>A victim row's copy of the latest snapshot that concerns the victim (<see cref="Contract.SnapshotProjection"/>).</summary>
public sealed record SnapshotCopy(SnapshotSource Source, byte[] Payload)
{
    /// <summary>
    /// The most a crime's copies may weigh together: a transaction carries at most 4 MiB, Base64 adds a third, and
    /// the crime row and the states need room too. Heavier crimes (50 victims and long fields the contract does not know) point their
    /// victims at the crime row instead, at one more read per step.
    /// </summary>
    public const int MaxBytesPerCrime = 2 * 1024 * 1024;

    public static readonly SnapshotCopy OnCrimeRow = new(SnapshotSource.CrimeRow, []);

    public static readonly SnapshotCopy NotInLatest = new(SnapshotSource.NotInLatest, []);

    /// <summary>Each victim's copy of a snapshot, or the crime row for all of them when the copies are too heavy together.</summary>
    public static Func<string, SnapshotCopy> For(ReadOnlySpan<byte> payload)
    {
        var copies = Contract.SnapshotProjection.PerVictim(payload);
        return copies is not null && copies.Values.Sum(c => (long)c.Length) <= MaxBytesPerCrime
            ? id => copies.TryGetValue(id, out var copy) ? new SnapshotCopy(SnapshotSource.VictimRow, copy) : OnCrimeRow
            : _ => OnCrimeRow;
    }
}
