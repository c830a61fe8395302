using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Storage;

/// <summary>A crime's stored state: its last snapshot row and its victims' rows, with ETags for optimistic concurrency.</summary>
public sealed record CrimeRecord(string PartitionKey, CrimeStateEntity? Crime, IReadOnlyDictionary<string, VictimStateEntity> Victims)
{
    public long Version => Crime?.Version ?? 0;
}

/// <summary>Per-victim state in Azure Table Storage, one partition per crime so a snapshot commits in one transaction.</summary>
public sealed class VictimStateStore(StorageClients clients, IOptions<PipelineOptions> options)
{
    /// <summary>Row keys from "victim:" up to (not including) "victim;": exactly the victim rows, not the crime row.</summary>
    private const string VictimRows = $"RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    public static string PartitionKeyFor(string crimeReference) => TableKeys.Id(crimeReference);

    // Row keys end with the partition key. Azure does not need it, but Azurite (the tests' and local runs' storage)
    // looks an entity up by row key first and then scans every row sharing it: a row key such as "crime", shared by
    // every crime, made each lookup scan the whole table.
    public static string CrimeRowKeyFor(string partitionKey) => CrimeStateEntity.RowKeyPrefix + partitionKey;

    public static string RowKeyFor(string crimeReference, string victimId) =>
        $"{VictimStateEntity.RowKeyPrefix}{TableKeys.Id(victimId)}@{PartitionKeyFor(crimeReference)}";

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<CrimeRecord> LoadAsync(string crimeReference, CancellationToken cancellationToken)
    {
        var partition = PartitionKeyFor(crimeReference);
        var crime = await Table.GetEntityIfExistsAsync<CrimeStateEntity>(partition, CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        var victims = new Dictionary<string, VictimStateEntity>(StringComparer.Ordinal);
        if (crime.HasValue)
        {
            var filter = $"PartitionKey eq {TableKeys.Quote(partition)} and {VictimRows}";
            await foreach (var victim in Table.QueryAsync<VictimStateEntity>(filter, cancellationToken: cancellationToken))
            {
                victims[victim.VictimId] = victim;
            }
        }

        return new CrimeRecord(partition, crime.HasValue ? crime.Value : null, victims);
    }

    public async Task<(CrimeStateEntity? Crime, VictimStateEntity? Victim)> LoadVictimAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var partition = PartitionKeyFor(crimeReference);
        var victim = await Table.GetEntityIfExistsAsync<VictimStateEntity>(partition, RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        if (!victim.HasValue)
        {
            return (null, null);
        }

        var crime = await Table.GetEntityIfExistsAsync<CrimeStateEntity>(partition, CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        return (crime.HasValue ? crime.Value : null, victim.Value);
    }

    /// <summary>The victim's row alone (one request): for re-checking its state.</summary>
    public async Task<VictimStateEntity?> LoadVictimRowAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var victim = await Table.GetEntityIfExistsAsync<VictimStateEntity>(PartitionKeyFor(crimeReference), RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        return victim.HasValue ? victim.Value : null;
    }

    /// <summary>Commits a snapshot's rows atomically; fails with 409/412 if another delivery changed the crime first.</summary>
    public async Task<bool> TryCommitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Replaces a victim row only if nobody changed it since it was read; returns false otherwise.</summary>
    public Task<bool> TryReplaceAsync(VictimStateEntity victim, CancellationToken cancellationToken) =>
        Table.TryReplaceAsync(victim, cancellationToken);

    /// <summary>An operator's replay of a failed or unconfirmed email: back to Queued, so the sender sends it.</summary>
    public async Task RequeueEmailAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var (_, victim) = await LoadVictimAsync(crimeReference, victimId, cancellationToken);
        if (victim is { EmailStatus: nameof(EmailStatus.Failed) or nameof(EmailStatus.Unconfirmed) })
        {
            victim.EmailStatus = nameof(EmailStatus.Queued);
            victim.EmailReason = null;
            await Table.UpdateEntityAsync(victim, victim.ETag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public IAsyncEnumerable<VictimStateEntity> AllVictimsAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<VictimStateEntity>(VictimRows, cancellationToken: cancellationToken);
}
