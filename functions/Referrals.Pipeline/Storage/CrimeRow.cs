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
}

/// <summary>The crime row written with a snapshot.</summary>
public static class CrimeRow
{
    public static CrimeStateEntity For(string partitionKey, Contract.CrimeEvent snapshot, byte[] payload, DateTimeOffset now) => new()
    {
        PartitionKey = partitionKey,
        RowKey = VictimStateStore.CrimeRowKeyFor(partitionKey),
        CrimeReference = snapshot.Crime.Reference,
        Version = snapshot.Crime.Version,
        EventId = snapshot.EventId,
        SentAt = snapshot.SentAt,
        OffenceCode = Rules.OffenceCode.Normalise(snapshot.Crime.Offence.HomeOfficeCode),
        Snapshot = payload,
        UpdatedAt = now,
    };
}

/// <summary>A snapshot as stored (on the crime's row or as a victim's copy).</summary>
public static class StoredSnapshot
{
    /// <summary>It parsed when it was stored, so one that does not parse now is a bug, not input.</summary>
    public static Contract.CrimeEvent Parse(byte[] stored, string loggedReference) =>
        Contract.CrimeEventParser.Parse(stored).Snapshot
            ?? throw new InvalidOperationException($"A stored snapshot of crime {loggedReference} does not parse.");
}
