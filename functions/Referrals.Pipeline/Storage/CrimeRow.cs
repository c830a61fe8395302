using Azure;
using Azure.Data.Tables;

namespace Referrals.Pipeline.Storage;

/// <summary>The last snapshot processed for a crime: one row per crime, RowKey "crime@&lt;partition&gt;", in the crime's partition.</summary>
public sealed class CrimeStateEntity : ITableEntity
{
    public const string RowKeyPrefix = "crime@";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public long Version { get; set; }

    public string EventId { get; set; } = string.Empty;

    public DateTimeOffset SentAt { get; set; }

    public string OffenceCode { get; set; } = string.Empty;

    /// <summary>The snapshot as received (UTF-8 JSON, at most 64 KiB): the steps of a victim without a copy of their own compose from it.</summary>
    public byte[] Snapshot { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>JSON array of the ids of victims erased by an operator: no later snapshot stores or acts on them (docs/privacy.md).</summary>
    public string ErasedVictims { get; set; } = "[]";

    /// <summary>When the retention function removed the snapshot; null while it is held.</summary>
    public DateTimeOffset? PurgedAt { get; set; }
}

/// <summary>The crime row written with a snapshot.</summary>
public static class CrimeRow
{
    /// <param name="stored">The crime's row before this snapshot: its erased victims stay erased, and are not stored.</param>
    public static CrimeStateEntity For(string partitionKey, Contract.CrimeEvent snapshot, byte[] payload, DateTimeOffset now, CrimeStateEntity? stored = null) => new()
    {
        PartitionKey = partitionKey,
        RowKey = VictimStateStore.CrimeRowKeyFor(partitionKey),
        CrimeReference = snapshot.Crime.Reference,
        Version = snapshot.Crime.Version,
        EventId = snapshot.EventId,
        SentAt = snapshot.SentAt,
        OffenceCode = Rules.OffenceCode.Normalise(snapshot.Crime.Offence.HomeOfficeCode),
        Snapshot = global::Referrals.Privacy.SnapshotRedaction.Without(payload, stored.Erased()),
        UpdatedAt = now,
        ErasedVictims = stored?.ErasedVictims ?? "[]",
    };

    /// <summary>The crime's row with its snapshot replaced (redacted or emptied), the rest as stored; <paramref name="erasedVictims"/> and <paramref name="purgedAt"/> as given, else as stored.</summary>
    public static CrimeStateEntity WithSnapshot(this CrimeStateEntity crime, byte[] snapshot, string? erasedVictims = null, DateTimeOffset? purgedAt = null) => new()
    {
        PartitionKey = crime.PartitionKey,
        RowKey = crime.RowKey,
        ETag = crime.ETag,
        CrimeReference = crime.CrimeReference,
        Version = crime.Version,
        EventId = crime.EventId,
        SentAt = crime.SentAt,
        OffenceCode = crime.OffenceCode,
        Snapshot = snapshot,
        UpdatedAt = crime.UpdatedAt,
        ErasedVictims = erasedVictims ?? crime.ErasedVictims,
        PurgedAt = purgedAt ?? crime.PurgedAt,
    };

    /// <summary>The victims erased from this crime.</summary>
    public static IReadOnlySet<string> Erased(this CrimeStateEntity? crime) =>
        crime is null || crime.ErasedVictims is "[]" or ""
            ? new HashSet<string>(StringComparer.Ordinal)
            : new HashSet<string>(System.Text.Json.JsonSerializer.Deserialize<string[]>(crime.ErasedVictims) ?? [], StringComparer.Ordinal);
}

/// <summary>A snapshot as stored (on the crime's row or as a victim's copy).</summary>
public static class StoredSnapshot
{
    /// <summary>It parsed when it was stored, so one that does not parse now is a bug, not input.</summary>
    public static Contract.CrimeEvent Parse(byte[] stored, string loggedReference) =>
        Contract.CrimeEventParser.Parse(stored).Snapshot
            ?? throw new InvalidOperationException($"A stored snapshot of crime {loggedReference} does not parse.");
}
