using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Forwarding;

/// <summary>Delivery rows, beside the victim rows in the crime's partition of the VictimStates table.</summary>
public sealed class DeliveryStore(StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time)
{
    private const string DeliveryRows = $"RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>Ends with the partition key, for Azurite's sake (see <see cref="VictimStateStore.CrimeRowKeyFor"/>).</summary>
    public static string RowKeyFor(DeliveryKind kind, string crimeReference, string victimId, string serviceId) =>
        $"{DeliveryEntity.RowKeyPrefix}{TableKeys.Id($"{kind}:{victimId}:{serviceId}")}@{VictimStateStore.PartitionKeyFor(crimeReference)}";

    public async Task<DeliveryEntity?> GetAsync(DeliveryKind kind, string crimeReference, string victimId, string serviceId, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<DeliveryEntity>(
            VictimStateStore.PartitionKeyFor(crimeReference), RowKeyFor(kind, crimeReference, victimId, serviceId), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The delivery's row, created Pending if this is its first work item (one request then; two for a repeat).</summary>
    public async Task<DeliveryEntity> GetOrAddAsync(ReferralWorkItem item, string channel, string? dueBy, CancellationToken cancellationToken)
    {
        var delivery = new DeliveryEntity
        {
            PartitionKey = VictimStateStore.PartitionKeyFor(item.CrimeReference),
            RowKey = RowKeyFor(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId),
            Id = item.Id,
            Kind = item.Kind.ToString(),
            CrimeReference = item.CrimeReference,
            VictimId = item.VictimId,
            ServiceId = item.ServiceId,
            Channel = channel,
            Status = nameof(DeliveryStatus.Pending),
            Month = item.Month,
            DueBy = item.Kind == DeliveryKind.Referral ? dueBy : null,
            CreatedAt = time.GetUtcNow(),
        };
        try
        {
            var response = await Table.AddEntityAsync(delivery, cancellationToken);
            delivery.ETag = response.Headers.ETag ?? default;
            return delivery;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken))!;
        }
    }

    /// <summary>Replaces the row only if nobody changed it since it was read; false otherwise.</summary>
    public Task<bool> TryReplaceAsync(DeliveryEntity delivery, CancellationToken cancellationToken) =>
        Table.TryReplaceAsync(delivery, cancellationToken);

    /// <summary>An operator's replay of a failed or unconfirmed delivery: back to Pending, so the forwarder sends it.</summary>
    public async Task RequeueAsync(ReferralWorkItem item, CancellationToken cancellationToken)
    {
        if (await GetAsync(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken) is { Status: nameof(DeliveryStatus.Failed) or nameof(DeliveryStatus.Unconfirmed) } delivery)
        {
            delivery.Status = nameof(DeliveryStatus.Pending);
            delivery.Reason = null;
            await Table.UpdateEntityAsync(delivery, delivery.ETag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public IAsyncEnumerable<DeliveryEntity> AllAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<DeliveryEntity>(DeliveryRows, cancellationToken: cancellationToken);
}
