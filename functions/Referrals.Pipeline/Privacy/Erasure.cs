using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;

namespace Referrals.Pipeline.Privacy;

/// <summary>How an erasure went.</summary>
public enum ErasureOutcome
{
    Erased,

    /// <summary>Erased before: only what was left (deliveries, dead letters) was tidied.</summary>
    AlreadyErased,

    /// <summary>Nothing is stored for this crime and victim.</summary>
    NotFound,
}

/// <summary>`referrals erase`: a victim's personal data removed now and from every later snapshot (docs/privacy.md).</summary>
public sealed class Erasure(StorageClients clients, IOptions<PipelineOptions> options, DeliveryStore deliveries, VictimDeadLetters deadLetters, Tasks.TaskRetention tasks, TimeProvider time, Receipts.RecipientIndex recipients)
{
    private const string ErasedDeliveryReason = "the victim's personal data was erased";

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>
    /// Removes the victim's personal data now and for good: from the stored snapshot (and every later one), partners'
    /// answers, pending deliveries and dead letters, with an Erase audit entry holding the reason. Safe to repeat.
    /// </summary>
    public async Task<ErasureOutcome> EraseAsync(string crimeReference, string victimId, string reason, string operatorName, CancellationToken cancellationToken)
    {
        var partition = VictimStateStore.PartitionKeyFor(crimeReference);
        var outcome = ErasureOutcome.Erased;
        for (var attempt = 1; ; attempt++)
        {
            var crime = await States.GetEntityIfExistsAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
            var victim = await States.GetEntityIfExistsAsync<VictimStateEntity>(partition, VictimStateStore.RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
            if (!crime.HasValue || crime.Value is not { } stored)
            {
                return ErasureOutcome.NotFound;
            }

            var erased = stored.Erased();
            if (erased.Contains(victimId))
            {
                outcome = ErasureOutcome.AlreadyErased;
                break;
            }

            if (!victim.HasValue && SnapshotRedaction.Without(stored.Snapshot, new HashSet<string> { victimId }) == stored.Snapshot)
            {
                return ErasureOutcome.NotFound;
            }

            try
            {
                await States.SubmitTransactionAsync(EraseActions(stored, victim.HasValue ? victim.Value : null, victimId, reason, operatorName), cancellationToken);
                break;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // A snapshot or a step changed the crime meanwhile: read it again.
            }
        }

        await SettleDeliveriesAsync(partition, victimId, cancellationToken);
        var letters = await deadLetters.DeleteAsync(crimeReference, victimId, cancellationToken);
        if (letters.Count > 0)
        {
            // Issue 29: each deletion recorded (the dead letter's id, kind and date; never its content).
            await States.AddEntityAsync((AuditEntity)AuditRow.ForOperator(crimeReference, AuditRule.OfOperator(victimId, AuditAction.Erase, time.GetUtcNow(), operatorName, null,
                [.. letters.Select(l => $"dead letter deleted whole: {l.PartitionKey} {l.RowKey}, first seen {l.FirstSeenAt.UtcDateTime:yyyy-MM-dd}")])).Entity, cancellationToken);
        }

        // Issue 22: their emails leave the recipient index (a later bounce to that address is then unmatched: alerted, nothing applied).
        await recipients.ErasedAsync(crimeReference, victimId, cancellationToken);

        // Rulebook 1.2 section 10: the victim's open tasks are withdrawn, and the Unit told (after pending deliveries were cancelled).
        await tasks.ErasedAsync(crimeReference, victimId, operatorName, cancellationToken);
        return outcome;
    }

    private List<TableTransactionAction> EraseActions(CrimeStateEntity crime, VictimStateEntity? victim, string victimId, string reason, string operatorName)
    {
        var now = time.GetUtcNow();
        var erased = crime.Erased().Append(victimId).Order(StringComparer.Ordinal).ToArray();
        var before = victim?.ToStored().State;
        var after = before is null ? null : RedactionRule.Erase(before, now);
        var redacted = crime.WithSnapshot(SnapshotRedaction.Without(crime.Snapshot, new HashSet<string>(erased, StringComparer.Ordinal)), JsonSerializer.Serialize(erased));
        List<string> facts = ["personal data: erased from the stored snapshot and from every later one", "messages and referrals: none from now on"];
        if (before is not null && after is not null && before.Contact.Email.Status != after.Contact.Email.Status)
        {
            facts.AddRange(AuditRule.OfMessages(before, after).Facts);
        }

        return
        [
            new(TableTransactionActionType.UpdateReplace, redacted, crime.ETag),
            .. after is null ? Array.Empty<TableTransactionAction>() : [new(TableTransactionActionType.UpdateReplace, after.ToRow(victim!.ETag, SnapshotCopy.NotInLatest), victim.ETag)],
            AuditRow.ForOperator(crime.CrimeReference, AuditRule.OfOperator(victimId, AuditAction.Erase, now, operatorName, reason, facts)),
        ];
    }

    /// <summary>Pending deliveries are cancelled, so nothing goes to a service; every partner's answer is cut.</summary>
    private async Task SettleDeliveriesAsync(string partition, string victimId, CancellationToken cancellationToken)
    {
        var rows = States.QueryAsync<DeliveryEntity>(
            $"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;' and VictimId eq {TableKeys.Quote(victimId)}",
            cancellationToken: cancellationToken);
        await foreach (var row in rows)
        {
            var delivery = row.ToStored();
            var next = delivery.State is { Status: DeliveryStatus.Pending, Kind: not Referrals.Forwarding.DeliveryKind.ErasureNotice }
                ? DeliveryTransition.Settle(delivery.State, DeliveryStatus.Cancelled, ErasedDeliveryReason)
                : RedactionRule.WithoutAnswer(delivery.State);
            if (next != delivery.State)
            {
                // A delivery claimed meanwhile is being sent now and cannot be called back: the erase is re-run for it.
                _ = await deliveries.TryReplaceAsync(next, delivery.ETag, cancellationToken, before: delivery.State);
            }
        }
    }
}
