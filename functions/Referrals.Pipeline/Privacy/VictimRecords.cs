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

/// <summary>How an erasure went.</summary>
public enum ErasureOutcome
{
    Erased,

    /// <summary>Erased before: only what was left (deliveries, dead letters) was tidied.</summary>
    AlreadyErased,

    /// <summary>Nothing is stored for this crime and victim.</summary>
    NotFound,
}

/// <summary>
/// One victim's records across the tables, for the operator commands `explain`, `subject-access` and `erase`
/// (docs/privacy.md). Reads are by the crime's partition, so each is a handful of requests.
/// </summary>
public sealed class VictimRecords(StorageClients clients, IOptions<PipelineOptions> options, DeliveryStore deliveries, TimeProvider time)
{
    public const string ErasedReason = "Erased";

    private const string ErasedDeliveryReason = "the victim's personal data was erased";

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    private TableClient DeadLetters => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    /// <summary>The victim's audit trail, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> HistoryAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var partition = VictimStateStore.PartitionKeyFor(crimeReference);
        var entries = new List<AuditEntry>();
        await foreach (var row in States.QueryAsync<AuditEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and {AuditRow.Range}", cancellationToken: cancellationToken))
        {
            entries.AddRange(AuditRow.EntriesOf(row).Where(e => e.VictimId == victimId));
        }

        // Row keys begin with the time, so this is the order they were written in; the sort is stable.
        return [.. entries.OrderBy(e => e.At)];
    }

    /// <summary>Everything held about the victim as one JSON document, or null when nothing is; the export itself is audited.</summary>
    public async Task<JsonObject?> SubjectAccessAsync(string crimeReference, string victimId, string operatorName, CancellationToken cancellationToken)
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
            ["deadLetters"] = new JsonArray([.. (await DeadLettersOfAsync(crimeReference, victimId, cancellationToken)).Select(l => Columns(l, except: nameof(DeadLetterEntity.Message)))]),
            ["tallyEvents"] = new JsonArray([.. tallies.Select(t => (JsonNode)t.RowKey)]),
            ["auditTrail"] = JsonSerializer.SerializeToNode(await HistoryAsync(crimeReference, victimId, cancellationToken), AuditJson),
            ["elsewhere"] = "SendGrid (emails), GOV.UK Notify (texts, letters) and the services under 'sent' hold their own copies: ask them for theirs.",
        };
        await States.AddEntityAsync((AuditEntity)AuditRow.ForOperator(crimeReference, AuditRule.OfOperator(victimId, AuditAction.SubjectAccess, now, operatorName, null, ["exported: everything held"])).Entity, cancellationToken);
        return document;
    }

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
        await DeleteDeadLettersAsync(crimeReference, victimId, cancellationToken);
        return outcome;
    }

    private List<TableTransactionAction> EraseActions(CrimeStateEntity crime, VictimStateEntity? victim, string victimId, string reason, string operatorName)
    {
        var now = time.GetUtcNow();
        var erased = crime.Erased().Append(victimId).Order(StringComparer.Ordinal).ToArray();
        var before = victim?.ToStored().State;
        var after = before is { Email.Status: EmailStatus.Queued or EmailStatus.Suppressed or EmailStatus.Failed }
            ? before with { Email = before.Email with { Status = EmailStatus.Suppressed, Reason = ErasedReason }, UpdatedAt = now }
            : before is null ? null : before with { Email = before.Email with { Reason = before.Email.Reason is { } r ? AuditRule.WithoutAnswer(r) : null }, UpdatedAt = now };
        var redacted = new CrimeStateEntity
        {
            PartitionKey = crime.PartitionKey,
            RowKey = crime.RowKey,
            CrimeReference = crime.CrimeReference,
            Version = crime.Version,
            EventId = crime.EventId,
            SentAt = crime.SentAt,
            OffenceCode = crime.OffenceCode,
            UpdatedAt = crime.UpdatedAt,
            PurgedAt = crime.PurgedAt,
            Snapshot = SnapshotRedaction.Without(crime.Snapshot, new HashSet<string>(erased, StringComparer.Ordinal)),
            ErasedVictims = JsonSerializer.Serialize(erased),
        };
        List<string> facts = ["personal data: erased from the stored snapshot and from every later one", "messages and referrals: none from now on"];
        if (before is not null && after is not null && before.Email.Status != after.Email.Status)
        {
            facts.AddRange(AuditRule.OfEmail(before, after).Facts);
        }

        return
        [
            new(TableTransactionActionType.UpdateReplace, redacted, crime.ETag),
            .. after is null ? Array.Empty<TableTransactionAction>() : [new(TableTransactionActionType.UpdateReplace, after.ToRow(victim!.ETag), victim.ETag)],
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
            var next = delivery.State.Status == DeliveryStatus.Pending
                ? DeliveryTransition.Settle(delivery.State, DeliveryStatus.Cancelled, ErasedDeliveryReason)
                : delivery.State with { Reason = delivery.State.Reason is { } r ? AuditRule.WithoutAnswer(r) : null };
            if (next != delivery.State)
            {
                // A delivery claimed meanwhile is being sent now and cannot be called back: the erase is re-run for it.
                _ = await deliveries.TryReplaceAsync(next, delivery.ETag, cancellationToken, before: delivery.State);
            }
        }
    }

    private async Task DeleteDeadLettersAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        foreach (var letter in await DeadLettersOfAsync(crimeReference, victimId, cancellationToken))
        {
            await DeadLetters.DeleteEntityAsync(letter.PartitionKey, letter.RowKey, ETag.All, cancellationToken);
        }
    }

    /// <summary>The victim's work items, and every rejected crime event of the crime (a whole snapshot: all its victims).</summary>
    private async Task<List<DeadLetterEntity>> DeadLettersOfAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        try
        {
            return await DeadLetters.QueryAsync<DeadLetterEntity>(cancellationToken: cancellationToken)
                .Where(l => (l.CrimeReference == crimeReference && (l.VictimId == victimId || l.VictimId is null)) || MentionsCrime(l, crimeReference))
                .ToListAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            return [];
        }
    }

    private static bool MentionsCrime(DeadLetterEntity letter, string crimeReference)
    {
        if (letter.CrimeReference is not null || !QueueText.TryDecode(Encoding.UTF8.GetString(letter.Message), out var payload))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("crime", out var crime) && crime.ValueKind == JsonValueKind.Object
                && crime.TryGetProperty("reference", out var reference) && reference.ValueKind == JsonValueKind.String && reference.GetString() == crimeReference;
        }
        catch (JsonException)
        {
            return false;
        }
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
        if (victim?.GetString(nameof(VictimStateEntity.EmailStatus)) is nameof(EmailStatus.Sent) or nameof(EmailStatus.Unconfirmed))
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

    private static readonly JsonSerializerOptions AuditJson = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

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
