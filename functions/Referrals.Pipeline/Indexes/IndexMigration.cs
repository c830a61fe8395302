using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Indexes;

/// <summary>What `referrals reindex` wrote.</summary>
public sealed record ReindexCounts(int Crimes, int Victims, int Deliveries, int TallyEvents, int DeadLetters, int Transactions);

/// <summary>
/// `referrals reindex`, once, after deploying the month index on a store written before it: reads every state row and
/// dead letter (the only whole-table reads the project makes, here by design) and writes the month index (a referral's
/// self-locating id's row included) and the dead-letter index they imply, batched by partition, then sets the purge's cursors no later than the oldest crime
/// still to purge and to forget. Idempotent: safe to run again, or alongside the pipeline (whose writes are the same rows).
/// </summary>
public sealed class IndexMigration(StorageClients clients, IOptions<PipelineOptions> options, IOptions<RetentionOptions> retention, MonthIndex index, DeadLetterStore deadLetters, TimeProvider time, Outcomes.ReferralIdKeys referralIds)
{
    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    private TableClient DeadLetters => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    public async Task<ReindexCounts> RunAsync(CancellationToken cancellationToken)
    {
        await index.CreateIfNotExistsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var writes = 0;
        var (purgeFrom, forgetFrom) = (now - TimeSpan.FromDays(retention.Value.PersonalDataDays), now - TimeSpan.FromDays(retention.Value.AuditDays));
        var crimes = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var crime in States.QueryAsync<CrimeStateEntity>($"RowKey ge '{CrimeStateEntity.RowKeyPrefix}' and RowKey lt 'crimeA'", cancellationToken: cancellationToken))
        {
            crimes.Add(crime.PartitionKey);
            writes += await index.ApplyAsync(crime.CrimeReference, [], [new CrimeStored(crime.CrimeReference, crime.UpdatedAt)], cancellationToken);
            purgeFrom = crime.PurgedAt is null && crime.UpdatedAt <= purgeFrom ? crime.UpdatedAt.AddTicks(-1) : purgeFrom;
            forgetFrom = crime.UpdatedAt <= forgetFrom ? crime.UpdatedAt.AddTicks(-1) : forgetFrom;
        }

        // A forgotten crime whose audit rows remain is looked at again when the oldest of them is due (RetentionPurge).
        var forgotten = new Dictionary<string, AuditEntity>(StringComparer.Ordinal);
        await foreach (var audit in States.QueryAsync<AuditEntity>(AuditRow.Range, select: ["PartitionKey", "RowKey", nameof(AuditEntity.At), nameof(AuditEntity.CrimeReference)], cancellationToken: cancellationToken))
        {
            if (!crimes.Contains(audit.PartitionKey) && !forgotten.ContainsKey(audit.PartitionKey))
            {
                forgotten[audit.PartitionKey] = audit;
            }
        }

        foreach (var audit in forgotten.Values)
        {
            writes += await index.ApplyAsync(audit.CrimeReference, [], [new CrimeStored(audit.CrimeReference, audit.At)], cancellationToken);
            forgetFrom = audit.At <= forgetFrom ? audit.At.AddTicks(-1) : forgetFrom;
        }

        var victims = 0;
        await foreach (var victim in States.QueryAsync<VictimStateEntity>($"RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'", cancellationToken: cancellationToken))
        {
            var state = victim.ToStored().State;
            writes += await index.ApplyAsync(state.CrimeReference, [], IndexRule.Of(state), cancellationToken);
            victims++;
        }

        var deliveries = 0;
        await foreach (var delivery in States.QueryAsync<DeliveryEntity>($"RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'", cancellationToken: cancellationToken))
        {
            var state = delivery.ToStored().State;
            writes += await index.ApplyAsync(state.CrimeReference, [], [.. IndexRule.Of(state), .. IndexRule.Reissued(state, (at, id) => referralIds.For(at, state.CrimeReference, id))], cancellationToken);
            deliveries++;
        }

        // Tally rows in bulk: a crime's rows come together (the scan is in partition order), a hundred at a time.
        var tallies = 0;
        var held = new List<TableEntity>();
        await foreach (var row in States.QueryAsync<TableEntity>($"RowKey ge '{TallyStore.StateRowPrefix}' and RowKey lt 'tally;'", select: ["PartitionKey", "RowKey", "Category", "Service"], cancellationToken: cancellationToken))
        {
            if (held.Count > 0 && held[0].PartitionKey != row.PartitionKey)
            {
                writes += await index.ApplyStateTallyRowsAsync(held[0].PartitionKey, held, cancellationToken);
                held.Clear();
            }

            held.Add(row);
            tallies++;
        }

        writes += held.Count > 0 ? await index.ApplyStateTallyRowsAsync(held[0].PartitionKey, held, cancellationToken) : 0;

        var letters = 0;
        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            try
            {
                await foreach (var letter in DeadLetters.QueryAsync<DeadLetterEntity>($"PartitionKey eq {TableKeys.Quote(DeadLetterStore.PartitionOf(kind))}", cancellationToken: cancellationToken))
                {
                    await deadLetters.IndexAsync(letter, DeadLetterStore.CrimesOf(letter), cancellationToken);
                    letters++;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
            {
                break;
            }
        }

        await index.SetCursorAsync(RetentionPurge.PurgeCursor, purgeFrom, cancellationToken);
        await index.SetCursorAsync(RetentionPurge.ForgetCursor, forgetFrom, cancellationToken);
        return new ReindexCounts(crimes.Count + forgotten.Count, victims, deliveries, tallies, letters, writes);
    }
}
