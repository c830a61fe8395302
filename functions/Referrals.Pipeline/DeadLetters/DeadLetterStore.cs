using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Contract;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.DeadLetters;

public enum DeadLetterKind
{
    /// <summary>A message that breaks the crime-event contract: fix it at the source and replay.</summary>
    Rejected,

    /// <summary>A work item that failed for good or ran out of retries.</summary>
    Poison,
}

/// <summary>A message the pipeline could not process, kept exactly (up to 64 KiB) with why and when.</summary>
public sealed class DeadLetterEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Queue { get; set; } = string.Empty;

    public string Reason { get; set; } = string.Empty;

    /// <summary>The queue message exactly as received (its text, UTF-8), cut at 64 KiB.</summary>
    public byte[] Message { get; set; } = [];

    public long MessageLength { get; set; }

    public bool Truncated { get; set; }

    public string? EventId { get; set; }

    public string? CrimeReference { get; set; }

    public string? VictimId { get; set; }

    public long DequeueCount { get; set; }

    public int Occurrences { get; set; }

    public DateTimeOffset FirstSeenAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>JSON array of the crime references it is indexed by (<see cref="DeadLetterStore.IndexPartitionOf"/>); absent on a row from before the index.</summary>
    public string? Crimes { get; set; }
}

/// <summary>A dead letter found by a crime it names: a row of the crime's index partition in the dead-letter table.</summary>
public sealed class DeadLetterIndexEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The dead letter's partition (its kind) and row.</summary>
    public string Kind { get; set; } = string.Empty;

    public string Id { get; set; } = string.Empty;

    /// <summary>The victim of a work item; null for a crime event (it holds every victim of the crime).</summary>
    public string? VictimId { get; set; }
}

/// <summary>
/// The dead-letter store an operator lists (`referrals rejected`, `referrals poison`) and replays from.
/// The row key is a hash of queue and message, so a redelivered bad message is one row seen twice, not two rows.
/// Each dead letter is also indexed by every crime it names (<see cref="IndexPartitionOf"/>: the work item's crime, or each
/// crime reference a lenient read of a crime event finds), so subject access and erasure read one crime's partition.
/// The index rows are written first: a dead letter is never kept without them.
/// </summary>
public sealed class DeadLetterStore(StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time)
{
    private const int MaxKeptBytes = 64 * 1024;

    private TableClient Table => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<DeadLetterEntity> AddAsync(
        DeadLetterKind kind, string queue, string message, string reason, long dequeueCount,
        string? eventId = null, string? crimeReference = null, string? victimId = null, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var now = time.GetUtcNow();
        var crimes = crimeReference is not null ? [crimeReference] : CrimeReferences.In(QueueText.TryDecode(message, out var payload) ? payload : bytes);
        var entity = new DeadLetterEntity
        {
            PartitionKey = kind.ToString().ToLowerInvariant(),
            RowKey = Id(queue, bytes),
            Queue = queue,
            Reason = reason,
            Message = bytes.Length > MaxKeptBytes ? bytes[..MaxKeptBytes] : bytes,
            MessageLength = bytes.Length,
            Truncated = bytes.Length > MaxKeptBytes,
            EventId = eventId,
            CrimeReference = crimeReference,
            VictimId = victimId,
            Crimes = JsonSerializer.Serialize(crimes),
            DequeueCount = dequeueCount,
            Occurrences = 1,
            FirstSeenAt = now,
            LastSeenAt = now,
        };

        await IndexAsync(entity, crimes, cancellationToken);

        // A redelivered message is one row seen again: add it, or count it on the existing row (ETag-checked, so concurrent deliveries all count).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var existing = await Table.GetEntityIfExistsAsync<DeadLetterEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken);
                if (!existing.HasValue)
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                    return entity;
                }

                var seen = existing.Value!;
                entity.FirstSeenAt = seen.FirstSeenAt;
                entity.Occurrences = seen.Occurrences + 1;
                await Table.UpdateEntityAsync(entity, seen.ETag, TableUpdateMode.Replace, cancellationToken);
                return entity;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 10)
            {
                // Another delivery of the same message got there first: read it again and count this one on top.
            }
        }
    }

    /// <summary>The partition of a kind's dead letters.</summary>
    public static string PartitionOf(DeadLetterKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>How many dead letters of a kind wait: its partition, keys only.</summary>
    public Task<int> CountAsync(DeadLetterKind kind, CancellationToken cancellationToken) =>
        Table.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(PartitionOf(kind))}", select: ["RowKey"], cancellationToken: cancellationToken).CountAsync(cancellationToken).AsTask();

    public IAsyncEnumerable<DeadLetterEntity> ListAsync(DeadLetterKind kind, CancellationToken cancellationToken) =>
        Table.QueryAsync<DeadLetterEntity>($"PartitionKey eq {TableKeys.Quote(PartitionOf(kind))}", cancellationToken: cancellationToken);

    public async Task<DeadLetterEntity?> FindAsync(string id, CancellationToken cancellationToken)
    {
        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            var found = await Table.GetEntityIfExistsAsync<DeadLetterEntity>(kind.ToString().ToLowerInvariant(), id, cancellationToken: cancellationToken);
            if (found.HasValue)
            {
                return found.Value;
            }
        }

        return null;
    }

    /// <summary>The dead letters naming a crime: its index partition, one point read per dead letter still kept.</summary>
    public async Task<List<(DeadLetterEntity Letter, string? VictimId)>> OfCrimeAsync(string crimeReference, CancellationToken cancellationToken)
    {
        var letters = new List<(DeadLetterEntity, string?)>();
        await foreach (var entry in Table.QueryAsync<DeadLetterIndexEntity>($"PartitionKey eq {TableKeys.Quote(IndexPartitionOf(crimeReference))}", cancellationToken: cancellationToken))
        {
            var letter = await Table.GetEntityIfExistsAsync<DeadLetterEntity>(entry.Kind, entry.Id, cancellationToken: cancellationToken);
            if (letter.HasValue && letter.Value is { } kept)
            {
                letters.Add((kept, entry.VictimId));
            }
        }

        return letters;
    }

    /// <summary>Removes a dead letter, then its index rows (a crash in between leaves rows that point at nothing, which are skipped).</summary>
    public async Task DeleteAsync(DeadLetterEntity entity, CancellationToken cancellationToken)
    {
        await Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
        foreach (var crime in CrimesOf(entity))
        {
            try
            {
                await Table.DeleteEntityAsync(IndexPartitionOf(crime), $"{entity.PartitionKey}|{entity.RowKey}", ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Removed already.
            }
        }
    }

    /// <summary>The index partition of a crime's dead letters.</summary>
    public static string IndexPartitionOf(string crimeReference) => "crime-" + TableKeys.Id(crimeReference);

    /// <summary>The crimes a dead letter is indexed by: as stored, or read again from a row written before the index.</summary>
    public static IReadOnlyList<string> CrimesOf(DeadLetterEntity letter) =>
        letter.Crimes is { Length: > 0 } stored ? JsonSerializer.Deserialize<string[]>(stored) ?? []
        : letter.CrimeReference is { } crime ? [crime]
        : CrimeReferences.In(QueueText.TryDecode(Encoding.UTF8.GetString(letter.Message), out var payload) ? payload : letter.Message);

    /// <summary>Writes a dead letter's index rows (idempotent): when it is added, and by `referrals reindex` for one from before the index.</summary>
    public async Task IndexAsync(DeadLetterEntity letter, IEnumerable<string> crimes, CancellationToken cancellationToken)
    {
        foreach (var crime in crimes)
        {
            await Table.UpsertEntityAsync(
                new DeadLetterIndexEntity { PartitionKey = IndexPartitionOf(crime), RowKey = $"{letter.PartitionKey}|{letter.RowKey}", Kind = letter.PartitionKey, Id = letter.RowKey, VictimId = letter.VictimId },
                TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static string Id(string queue, byte[] message)
    {
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(queue), 0, .. message]);
        return Convert.ToHexStringLower(hash)[..32];
    }
}
