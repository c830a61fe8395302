using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

/// <summary>`referrals subject-access`: everything held about a victim as one JSON document (docs/privacy.md).</summary>
public sealed class SubjectAccess(StorageClients clients, IOptions<PipelineOptions> options, VictimHistory history, VictimDeadLetters deadLetters, TimeProvider time)
{
    private static readonly JsonSerializerOptions AuditJson = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>Everything held about the victim as one JSON document, or null when nothing is; the export itself is audited.</summary>
    public async Task<JsonObject?> ExportAsync(string crimeReference, string victimId, string operatorName, CancellationToken cancellationToken)
    {
        var partition = VictimStateStore.PartitionKeyFor(crimeReference);
        var crime = await States.GetEntityIfExistsAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        var victim = await States.GetEntityIfExistsAsync<TableEntity>(partition, VictimStateStore.RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        if (!crime.HasValue && !victim.HasValue)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var deliveryRows = await States.QueryAsync<TableEntity>(
            $"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;' and VictimId eq {TableKeys.Quote(victimId)}",
            cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var subject = TableKeys.Id($"{crimeReference}:{victimId}");
        var tallies = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge 'tally:' and RowKey lt 'tally;'", cancellationToken: cancellationToken)
            .Where(r => r.RowKey.EndsWith($"|{subject}@{partition}", StringComparison.Ordinal)).ToListAsync(cancellationToken);
        var document = new JsonObject
        {
            ["crimeReference"] = crimeReference,
            ["victimId"] = victimId,
            ["exportedAt"] = now,
            ["exportedBy"] = operatorName,
            ["erased"] = crime.HasValue && crime.Value!.Erased().Contains(victimId),
            ["personalDataAsHeld"] = crime.HasValue ? PersonAsHeld(crime.Value!, victimId) : null,
            ["crime"] = crime.HasValue ? Columns(crime.Value!, except: nameof(CrimeStateEntity.Snapshot)) : null,
            ["state"] = victim.HasValue ? Columns(victim.Value!) : null,
            ["sent"] = Sent(victim.HasValue ? victim.Value : null, deliveryRows),
            ["deliveries"] = new JsonArray([.. deliveryRows.Select(r => Columns(r))]),
            ["victimCareUnitTasks"] = victim.HasValue && victim.Value!.GetString(nameof(VictimStateEntity.Tasks)) is { Length: > 0 } tasks ? JsonNode.Parse(tasks)?["Tasks"]?.DeepClone() : new JsonArray(),
            ["deadLetters"] = new JsonArray([.. (await deadLetters.ListAsync(crimeReference, victimId, cancellationToken)).Select(l => Columns(l, except: nameof(DeadLetterEntity.Message)))]),
            ["tallyEvents"] = new JsonArray([.. tallies.Select(t => (JsonNode)t.RowKey)]),
            ["auditTrail"] = JsonSerializer.SerializeToNode(await history.HistoryAsync(crimeReference, victimId, cancellationToken), AuditJson),
            ["elsewhere"] = "SendGrid (emails), GOV.UK Notify (texts, letters) and the services under 'sent' hold their own copies: ask them for theirs.",
        };
        await States.AddEntityAsync((AuditEntity)AuditRow.ForOperator(crimeReference, AuditRule.OfOperator(victimId, AuditAction.SubjectAccess, now, operatorName, null, ["exported: everything held"])).Entity, cancellationToken);
        return document;
    }

    /// <summary>The victim's own entry of the stored snapshot, exactly as held (null once purged or erased).</summary>
    private static JsonNode? PersonAsHeld(CrimeStateEntity crime, string victimId)
    {
        if (crime.Snapshot.Length == 0)
        {
            return null;
        }

        var snapshot = JsonNode.Parse(crime.Snapshot);
        return snapshot?["victims"] is JsonArray victims
            ? victims.FirstOrDefault(v => v?["id"]?.GetValueKind() == JsonValueKind.String && v["id"]!.GetValue<string>() == victimId)?.DeepClone()
            : null;
    }

    private static JsonArray Sent(TableEntity? victim, IEnumerable<TableEntity> deliveryRows)
    {
        var sent = new JsonArray();
        if (victim?.GetString(nameof(VictimStateEntity.EmailStatus)) is nameof(MessageStatus.Sent) or nameof(MessageStatus.Unconfirmed))
        {
            sent.Add(new JsonObject
            {
                ["what"] = "entitlement email",
                ["to"] = victim.GetString(nameof(VictimStateEntity.EmailRecipient)),
                ["via"] = "SendGrid",
                ["status"] = victim.GetString(nameof(VictimStateEntity.EmailStatus)),
                ["at"] = victim.GetDateTimeOffset(nameof(VictimStateEntity.EmailSentAt)) ?? victim.GetDateTimeOffset(nameof(VictimStateEntity.EmailAttemptedAt)),
                ["messageId"] = victim.GetString(nameof(VictimStateEntity.EmailMessageId)),
            });
        }

        foreach (var row in deliveryRows.Where(r => r.GetString(nameof(DeliveryEntity.Status)) is nameof(DeliveryStatus.Delivered) or nameof(DeliveryStatus.Unconfirmed)))
        {
            sent.Add(new JsonObject
            {
                ["what"] = row.GetString(nameof(DeliveryEntity.Kind)),
                ["to"] = row.GetString(nameof(DeliveryEntity.ServiceId)),
                ["via"] = row.GetString(nameof(DeliveryEntity.Channel)),
                ["status"] = row.GetString(nameof(DeliveryEntity.Status)),
                ["at"] = row.GetDateTimeOffset(nameof(DeliveryEntity.DeliveredAt)) ?? row.GetDateTimeOffset(nameof(DeliveryEntity.AttemptedAt)),
            });
        }

        return sent;
    }

    private static JsonObject Columns(ITableEntity entity, string? except = null)
    {
        var values = entity is TableEntity table
            ? table.Where(p => !p.Key.StartsWith("odata.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => (object?)p.Value)
            : entity.GetType().GetProperties().Where(p => p.Name is not (nameof(ITableEntity.ETag) or nameof(ITableEntity.Timestamp))).ToDictionary(p => p.Name, p => p.GetValue(entity));
        var json = new JsonObject();
        foreach (var (name, value) in values.Where(v => v.Key != except && v.Key is not ("ETag" or "Timestamp")).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            json[name] = value switch
            {
                null => null,
                byte[] bytes => Convert.ToBase64String(bytes),
                ETag etag => etag.ToString(),
                _ => JsonSerializer.SerializeToNode(value, value.GetType(), AuditJson),
            };
        }

        return json;
    }
}
