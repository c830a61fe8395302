using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;

namespace Referrals.Pipeline.Privacy;

/// <summary>
/// `referrals subject-access`: everything held about one victim (docs/privacy.md) as one JSON document, which
/// <see cref="SubjectAccessPage"/> renders as a page the victim can read. Only the subject's own personal data: their
/// entry of the stored snapshot without their parent's or guardian's details, never another victim's; an address a
/// message went to only when it went to them; staff's names as "staff" (who exported it is in the audit, not the document); a message the pipeline could not process by
/// id, date and reason only, never its content.
/// </summary>
public sealed class SubjectAccess(StorageClients clients, IOptions<PipelineOptions> options, VictimHistory history, VictimDeadLetters deadLetters, RulesData rules, TimeProvider time)
{
    public const string Staff = "staff";

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>Everything held about the victim as one JSON document, or null when nothing is; the export itself is audited.</summary>
    public async Task<JsonObject?> ExportAsync(string crimeReference, string victimId, string operatorName, CancellationToken cancellationToken)
    {
        var partition = VictimStateStore.PartitionKeyFor(crimeReference);
        var crimeRow = await States.GetEntityIfExistsAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        var victimRow = await States.GetEntityIfExistsAsync<VictimStateEntity>(partition, VictimStateStore.RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        var crime = crimeRow.HasValue ? crimeRow.Value : null;
        var victim = victimRow.HasValue ? victimRow.Value?.ToStored().State : null;
        var person = crime is null ? null : PersonAsHeld(crime, victimId);
        var deliveries = crime is null && victim is null ? [] : await States.QueryAsync<DeliveryEntity>(
            $"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;' and VictimId eq {TableKeys.Quote(victimId)}",
            cancellationToken: cancellationToken).Select(r => r.ToStored().State).ToListAsync(cancellationToken);
        var letters = (await deadLetters.ListAsync(crimeReference, victimId, cancellationToken)).Where(l => l.VictimId == victimId || Names(l, victimId)).ToList();
        if (victim is null && person is null && deliveries.Count == 0 && letters.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var subject = TableKeys.Id($"{crimeReference}:{victimId}");
        var tallies = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge 'tally:' and RowKey lt 'tally;'", select: ["RowKey"], cancellationToken: cancellationToken)
            .Where(r => r.RowKey.EndsWith($"|{subject}@{partition}", StringComparison.Ordinal)).ToListAsync(cancellationToken);
        var document = new JsonObject
        {
            ["crimeReference"] = crimeReference,
            ["victimId"] = victimId,
            ["exportedAt"] = now,
            ["erased"] = crime?.Erased().Contains(victimId) ?? false,
            ["personalDataRemovedAt"] = crime?.PurgedAt,
            ["personalData"] = person,
            ["messages"] = new JsonArray([.. Messages(victim, person)]),
            ["referrals"] = new JsonArray([.. deliveries.OrderBy(d => d.CreatedAt).Select(d => (JsonNode)new JsonObject
            {
                ["what"] = d.Kind.ToString(),
                ["service"] = d.ServiceId,
                ["serviceName"] = rules.Directory.NameOf(d.ServiceId),
                ["by"] = d.Channel,
                ["status"] = d.Status.ToString(),
                ["createdAt"] = d.CreatedAt,
                ["deliveredAt"] = d.DeliveredAt,
                ["referralId"] = d.PublicId,
            })]),
            ["tasks"] = new JsonArray([.. (victim?.Tasks.Tasks ?? []).Select(t => (JsonNode)new JsonObject
            {
                ["kind"] = t.Kind.ToString(),
                ["service"] = t.ServiceId is null ? null : rules.Directory.NameOf(t.ServiceId),
                ["state"] = t.State.ToString(),
                ["raisedAt"] = t.RaisedAt,
                ["dueAt"] = t.DueAt,
                ["closedAt"] = t.ClosedAt,
                ["outcome"] = t.Outcome?.ToString(),
                ["withdrawnBecause"] = t.WithdrawnBecause?.ToString(),
                ["reasons"] = new JsonArray([.. t.Reasons.Select(r => (JsonNode)r)]),
                ["history"] = new JsonArray([.. t.History.Select(h => (JsonNode)new JsonObject { ["at"] = h.At, ["what"] = h.What, ["by"] = h.Operator is null ? null : Staff })]),
            })]),
            ["outcomes"] = new JsonArray([.. (victim?.Reports ?? Referrals.Outcomes.OutcomeBook.Empty).ByService.SelectMany(s => s.Value.FirstReported.Select(r => (JsonNode)new JsonObject
            {
                ["service"] = s.Key,
                ["serviceName"] = rules.Directory.NameOf(s.Key),
                ["status"] = r.Key,
                ["firstReportedAt"] = r.Value,
            }))]),
            ["decisions"] = new JsonArray([.. (await history.HistoryAsync(crimeReference, victimId, cancellationToken)).Select(e => (JsonNode)new JsonObject
            {
                ["at"] = e.At,
                ["what"] = e.Action.ToString(),
                ["crimeVersion"] = e.CrimeVersion,
                ["rulesVersion"] = e.RulesVersion,
                ["facts"] = new JsonArray([.. e.Facts.Select(f => (JsonNode)f)]),
                ["reasons"] = new JsonArray([.. e.Reasons.Select(r => (JsonNode)r)]),
                ["by"] = e.Operator is null ? null : Staff,
            })]),
            ["messagesNotProcessed"] = new JsonArray([.. letters.OrderBy(l => l.FirstSeenAt).Select(l => (JsonNode)new JsonObject
            {
                ["id"] = l.RowKey,
                ["kind"] = l.PartitionKey,
                ["receivedAt"] = l.FirstSeenAt,
                ["reason"] = l.Reason,
            })]),
            ["statistics"] = new JsonArray([.. tallies.Select(t => (JsonNode)t.RowKey.Split('|')[^2]).Distinct()]),
            ["elsewhere"] = "SendGrid (emails), GOV.UK Notify (texts, letters) and the services under 'referrals' hold their own copies: ask them for theirs.",
        };
        await States.AddEntityAsync((AuditEntity)AuditRow.ForOperator(crimeReference, AuditRule.OfOperator(victimId, AuditAction.SubjectAccess, now, operatorName, null, ["exported: everything held"])).Entity, cancellationToken);
        return document;
    }

    /// <summary>
    /// The victim's own entry of the stored snapshot (null once purged or erased), without their parent's or guardian's
    /// details: those are the parent's personal data. That a parent or guardian is recorded is said, nothing more.
    /// </summary>
    private static JsonObject? PersonAsHeld(CrimeStateEntity crime, string victimId)
    {
        if (crime.Snapshot.Length == 0 || JsonNode.Parse(crime.Snapshot)?["victims"] is not JsonArray victims
            || victims.FirstOrDefault(v => v?["id"]?.GetValueKind() == JsonValueKind.String && v["id"]!.GetValue<string>() == victimId)?.DeepClone() is not JsonObject person)
        {
            return null;
        }

        if (person.Remove("parentOrGuardian"))
        {
            person["parentOrGuardianRecorded"] = true;
        }

        return person;
    }

    /// <summary>Every channel's entitlement message, with the victim's own address or number as held when it was to them.</summary>
    private static IEnumerable<JsonNode> Messages(VictimState? victim, JsonObject? person)
    {
        if (victim is null)
        {
            yield break;
        }

        foreach (var channel in ChannelNames.InOrder)
        {
            var message = victim.Contact[channel];
            if (message.Status == MessageStatus.NotNeeded)
            {
                continue;
            }

            // Nobody when it was never sent for want of a safe recipient; the address only when it is the victim's own.
            var recipient = channel == Channel.Email ? message.Recipient ?? victim.Contact.Recipient : victim.Contact.Recipient;
            yield return new JsonObject
            {
                ["channel"] = channel.ToString(),
                ["to"] = recipient?.ToString(),
                ["sentTo"] = recipient == Rules.EmailRecipient.Victim ? SentTo(channel, person) : null,
                ["via"] = channel == Channel.Email ? "SendGrid" : "GOV.UK Notify",
                ["status"] = message.Status.ToString(),
                ["reason"] = message.Reason?.ToString(),
                ["queuedAt"] = message.QueuedAt,
                ["sentAt"] = message.SentAt ?? message.AttemptedAt,
                ["deliveredAt"] = message.DeliveredAt,
                ["providerMessageId"] = message.ProviderId,
            };
        }
    }

    private static JsonNode? SentTo(Channel channel, JsonObject? person) => channel switch
    {
        Channel.Email => person?["email"]?.DeepClone(),
        Channel.Sms => person?["phone"]?.DeepClone(),
        _ => person?["address"]?.DeepClone(),
    };

    /// <summary>Whether a crime event the pipeline could not process names the victim: their id as a whole JSON string in it.</summary>
    private static bool Names(DeadLetterEntity letter, string victimId)
    {
        var text = QueueText.TryDecode(Encoding.UTF8.GetString(letter.Message), out var payload) ? Encoding.UTF8.GetString(payload) : Encoding.UTF8.GetString(letter.Message);
        return text.Contains(JsonSerializer.Serialize(victimId), StringComparison.Ordinal) || text.Contains($"\"{victimId}\"", StringComparison.Ordinal);
    }
}
