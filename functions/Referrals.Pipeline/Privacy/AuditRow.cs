using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Privacy;

/// <summary>
/// An audit row: the entries of one committed change, in the crime's partition of the state table, added (never
/// replaced) in the transaction that makes the change. Row key "audit:&lt;ticks&gt;|&lt;change&gt;@&lt;partition&gt;": oldest
/// first, and unique per change because it is derived from the row version the change replaced.
/// </summary>
public sealed class AuditEntity : ITableEntity
{
    public const string RowKeyPrefix = "audit:";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    /// <summary>The <see cref="AuditEntry"/> list as gzip-compressed UTF-8 JSON: 50 victims' entries fit one property (64 KiB).</summary>
    public byte[] Entries { get; set; } = [];
}

/// <summary>The audit rows to add to a change's transaction, and their entries read back.</summary>
public static class AuditRow
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Row keys from "audit:" up to "audit;": the audit rows of a partition, or of the table.</summary>
    public const string Range = $"RowKey ge '{AuditEntity.RowKeyPrefix}' and RowKey lt 'audit;'";

    /// <summary>One row for the whole snapshot (every victim's entry): a crime of 50 victims commits 1 + 50 + 1 rows, inside the 100 a transaction holds.</summary>
    /// <param name="erasedHolds">Erased victims whose row's hold the snapshot set or lifted (nothing decided for them).</param>
    public static TableTransactionAction ForSnapshot(string partitionKey, CrimeEvent snapshot, IEnumerable<(VictimDecision Decision, VictimChange Change)> decided, string rulesVersion, DateTimeOffset now, IEnumerable<VictimChange>? erasedHolds = null) =>
        Add(partitionKey, snapshot.Crime.Reference, now, $"snapshot-v{snapshot.Crime.Version.ToString(CultureInfo.InvariantCulture)}",
            [.. decided.Select(d => AuditRule.OfSnapshot(snapshot.EventId, d.Change, d.Decision,
                snapshot.Victims.FirstOrDefault(v => v.Id == d.Change.Next.VictimId)?.Support ?? SupportAnswer.NotAsked, rulesVersion)),
             .. (erasedHolds ?? []).Select(c => new AuditEntry(c.Next.VictimId, now, AuditAction.Snapshot, snapshot.EventId, snapshot.Crime.Version, rulesVersion,
                [$"held: {(c.Previous?.Contact.Held == true ? "yes" : "no")} → {(c.Next.Contact.Held ? "yes" : "no")}"], ["erased: not decided; only the erasure's notices follow the hold"]))]);

    /// <summary>The entry of a change to a victim's row that replaced the row version <paramref name="replaced"/>.</summary>
    public static TableTransactionAction ForVictim(VictimStateEntity row, VictimState? before, VictimState next, ETag replaced) =>
        Add(row.PartitionKey, next.CrimeReference, next.UpdatedAt, ChangeId(row.RowKey, replaced), [AuditRule.OfMessages(before, next)]);

    /// <summary>The entry of a delivery created (<paramref name="replaced"/> default) or changed.</summary>
    public static TableTransactionAction ForDelivery(DeliveryEntity row, DeliveryState? before, DeliveryState next, ETag replaced, DateTimeOffset now) =>
        Add(row.PartitionKey, next.CrimeReference, now, ChangeId(row.RowKey, replaced), [AuditRule.OfDelivery(before, next, now)]);

    /// <summary>An operator's command: unique by a fresh id, as each run of a command is its own event.</summary>
    public static TableTransactionAction ForOperator(string crimeReference, AuditEntry entry) =>
        Add(VictimStateStore.PartitionKeyFor(crimeReference), crimeReference, entry.At, $"{entry.Action}-{Guid.NewGuid():N}", [entry]);

    public static TableTransactionAction Add(string partitionKey, string crimeReference, DateTimeOffset at, string change, IReadOnlyList<AuditEntry> entries) =>
        new(TableTransactionActionType.Add, new AuditEntity
        {
            PartitionKey = partitionKey,
            RowKey = $"{AuditEntity.RowKeyPrefix}{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{change}@{partitionKey}",
            CrimeReference = crimeReference,
            At = at,
            Entries = Compress(JsonSerializer.SerializeToUtf8Bytes(entries, Json)),
        });

    /// <summary>Row keys of audit rows older than <paramref name="before"/>, across the table.</summary>
    public static string OlderThan(DateTimeOffset before) =>
        $"RowKey ge '{AuditEntity.RowKeyPrefix}' and RowKey lt '{AuditEntity.RowKeyPrefix}{before.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}'";

    public static IReadOnlyList<AuditEntry> EntriesOf(AuditEntity row)
    {
        using var input = new GZipStream(new MemoryStream(row.Entries), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<List<AuditEntry>>(input, Json) ?? [];
    }

    /// <summary>A change's id: the row it changed and the version (ETag) it replaced, which only one write can ever replace.</summary>
    public static string ChangeId(string rowKey, ETag replaced) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{rowKey}\n{(replaced == default ? "new" : replaced.ToString())}")))[..24];

    private static byte[] Compress(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }
}
