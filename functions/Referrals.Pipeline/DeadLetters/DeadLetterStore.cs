using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
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
}

/// <summary>
/// The dead-letter store an operator lists (`referrals rejected`, `referrals poison`) and replays from.
/// The row key is a hash of queue and message, so a redelivered bad message is one row seen twice, not two rows.
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
            DequeueCount = dequeueCount,
            Occurrences = 1,
            FirstSeenAt = now,
            LastSeenAt = now,
        };

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

    public Task DeleteAsync(DeadLetterEntity entity, CancellationToken cancellationToken) =>
        Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);

    private static string Id(string queue, byte[] message)
    {
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(queue), 0, .. message]);
        return Convert.ToHexStringLower(hash)[..32];
    }
}
