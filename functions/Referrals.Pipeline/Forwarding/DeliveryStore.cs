using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Delivery rows, beside the victim rows in the crime's partition of the VictimStates table. A change that gives the
/// month index something new (a result's tally events, a referral's deadline settled, a delivery by the month it
/// arrived) writes it to the crime's index outbox in its transaction, or after it when the outbox is closed (<see cref="IndexOutbox"/>).
/// </summary>
public sealed class DeliveryStore(StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time, MonthIndex index, IndexOutbox outbox)
{
    private const string DeliveryRows = $"RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>Ends with the partition key, for Azurite's sake (see <see cref="VictimStateStore.CrimeRowKeyFor"/>).</summary>
    /// <param name="taskId">A Victim Care Unit task's notice: one row per task (and one per withdrawal notice).</param>
    public static string RowKeyFor(DeliveryKind kind, string crimeReference, string victimId, string serviceId, string? taskId = null) =>
        $"{DeliveryEntity.RowKeyPrefix}{TableKeys.Id(taskId is null ? $"{kind}:{victimId}:{serviceId}" : $"{kind}:{victimId}:{serviceId}:{taskId}")}@{VictimStateStore.PartitionKeyFor(crimeReference)}";

    public async Task<Stored<DeliveryState>?> GetAsync(DeliveryKind kind, string crimeReference, string victimId, string serviceId, CancellationToken cancellationToken, string? taskId = null)
    {
        var row = await Table.GetEntityIfExistsAsync<DeliveryEntity>(
            VictimStateStore.PartitionKeyFor(crimeReference), RowKeyFor(kind, crimeReference, victimId, serviceId, taskId), cancellationToken: cancellationToken);
        return row.HasValue && row.Value is { } value ? value.ToStored() : null;
    }

    /// <summary>
    /// The delivery's row, created as <paramref name="created"/> if this is its first work item (one request then, and
    /// <c>Added</c>; two for a repeat, which gets the row as stored).
    /// </summary>
    public async Task<(Stored<DeliveryState> Delivery, bool Added)> GetOrAddAsync(DeliveryState created, CancellationToken cancellationToken)
    {
        try
        {
            var row = created.ToRow(default);
            var response = await Table.SubmitTransactionAsync(
                [new(TableTransactionActionType.Add, row), AuditRow.ForDelivery(row, null, created, default, time.GetUtcNow())], cancellationToken);
            return (new Stored<DeliveryState>(created, response.Value[0].Headers.ETag ?? default), true);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return ((await GetAsync(created.Kind, created.CrimeReference, created.VictimId, created.ServiceId, cancellationToken, created.TaskId))!, false);
        }
    }

    /// <summary>
    /// Replaces the row only if nobody changed it since it was read, with the tally events and the audit entry of the
    /// change (<paramref name="before"/> is the state read): the new ETag, or null otherwise.
    /// </summary>
    public async Task<Stored<DeliveryState>?> TryReplaceAsync(DeliveryState delivery, ETag etag, CancellationToken cancellationToken, IEnumerable<TallyEvent>? counted = null, DeliveryState? before = null)
    {
        var row = delivery.ToRow(etag);
        var events = (counted ?? []).ToList();
        if (!await outbox.TryReplaceAsync(Table, row, [.. TallyStore.StateRows(row.PartitionKey, events), AuditRow.ForDelivery(row, before, delivery, etag, time.GetUtcNow())],
                delivery.CrimeReference, events, IndexRule.Between(before is null ? [] : IndexRule.Of(before), IndexRule.Of(delivery)), before?.CreatedAt, cancellationToken))
        {
            return null;
        }

        return new Stored<DeliveryState>(delivery, row.ETag);
    }

    /// <summary>An operator's replay (<see cref="ReplayRule.ForDelivery"/>): the delivery as the rule requeued it, ETag-checked, audited with who replayed it.</summary>
    public async Task RequeueAsync(Stored<DeliveryState> delivery, DeliveryState pending, string operatorName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await Table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, pending.ToRow(delivery.ETag), delivery.ETag),
                AuditRow.ForOperator(pending.CrimeReference, AuditRule.OfOperator(pending.VictimId, AuditAction.Replay, now, operatorName, null, AuditRule.OfDelivery(delivery.State, pending, now).Facts)),
            ], cancellationToken);
        await index.ApplyAsync(pending.CrimeReference, [], IndexRule.Between(IndexRule.Of(delivery.State), IndexRule.Of(pending)), cancellationToken);
    }

    public IAsyncEnumerable<DeliveryEntity> AllAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<DeliveryEntity>(DeliveryRows, cancellationToken: cancellationToken);
}
