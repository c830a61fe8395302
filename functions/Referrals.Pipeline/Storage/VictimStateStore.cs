using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Tallies;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Storage;

/// <summary>A crime's stored state: its last snapshot row and its victims' states, with ETags for optimistic concurrency.</summary>
public sealed record CrimeRecord(string PartitionKey, CrimeStateEntity? Crime, IReadOnlyDictionary<string, Stored<VictimState>> Victims)
{
    public long Version => Crime?.Version ?? 0;

    /// <summary>Stored victims the snapshot does not list whose rows still hold a copy of an earlier one.</summary>
    public IReadOnlyList<Stored<VictimState>> Absent(Contract.CrimeEvent snapshot) =>
        [.. Victims.Where(v => v.Value.Copy?.Source != SnapshotSource.NotInLatest && !snapshot.Victims.Any(s => s.Id == v.Key)).Select(v => v.Value)];

    /// <summary>A crime with nothing stored.</summary>
    public static CrimeRecord None(string crimeReference) =>
        new(VictimStateStore.PartitionKeyFor(crimeReference), null, new Dictionary<string, Stored<VictimState>>(StringComparer.Ordinal));
}

/// <summary>
/// Per-victim state in Azure Table Storage, one partition per crime so a snapshot commits in one transaction. After a
/// snapshot's transaction its tally events and index entries go to the month index (<see cref="MonthIndex"/>): another
/// partition, so another request. The snapshot also opens the crime's index outbox (<see cref="IndexOutbox"/>): the
/// steps that follow write their index rows there, in their own transaction, and the drain applies them in bulk.
/// </summary>
public sealed class VictimStateStore(StorageClients clients, IOptions<PipelineOptions> options, MonthIndex index, IndexOutbox outbox)
{
    /// <summary>Row keys from "victim:" up to (not including) "victim;": exactly the victim rows, not the crime row.</summary>
    private const string VictimRows = $"RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'";

    private const int MaxTransaction = 100;

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
        var victims = new Dictionary<string, Stored<VictimState>>(StringComparer.Ordinal);
        if (crime.HasValue)
        {
            var filter = $"PartitionKey eq {TableKeys.Quote(partition)} and {VictimRows}";
            await foreach (var victim in Table.QueryAsync<VictimStateEntity>(filter, cancellationToken: cancellationToken))
            {
                victims[victim.VictimId] = victim.ToStored();
            }
        }

        return new CrimeRecord(partition, crime.HasValue ? crime.Value : null, victims);
    }

    /// <summary>
    /// The crime's latest snapshot as far as it concerns the victim (from the victim's own copy when it has one, else
    /// from the crime's row): null when the latest snapshot does not list the victim, or the crime's row is gone.
    /// </summary>
    public async Task<Contract.CrimeEvent?> SnapshotForAsync(Stored<VictimState> victim, string loggedReference, CancellationToken cancellationToken)
    {
        switch (victim.Copy?.Source ?? SnapshotSource.CrimeRow)
        {
            case SnapshotSource.VictimRow:
                return StoredSnapshot.Parse(victim.Copy!.Payload, loggedReference);
            case SnapshotSource.NotInLatest:
                return null;
            default:
                return await LoadCrimeAsync(victim.State.CrimeReference, cancellationToken) is { } crime ? StoredSnapshot.Parse(crime.Snapshot, loggedReference) : null;
        }
    }

    /// <summary>The crime's row; null when no snapshot is held (none yet, purged, or every victim erased).</summary>
    public async Task<CrimeStateEntity?> LoadCrimeAsync(string crimeReference, CancellationToken cancellationToken)
    {
        var partition = PartitionKeyFor(crimeReference);
        var crime = await Table.GetEntityIfExistsAsync<CrimeStateEntity>(partition, CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        return crime.HasValue && crime.Value is { Snapshot.Length: > 0 } held ? held : null;
    }

    /// <summary>The victim's state alone (one request).</summary>
    public async Task<Stored<VictimState>?> LoadVictimAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var victim = await Table.GetEntityIfExistsAsync<VictimStateEntity>(PartitionKeyFor(crimeReference), RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        return victim.HasValue && victim.Value is { } value ? value.ToStored() : null;
    }

    /// <summary>
    /// Commits a snapshot's crime row and victims' states atomically; fails (false) with 409/412 if another delivery
    /// changed the crime first: the crime row carries the ETag check. The snapshot's audit row goes in the same
    /// transaction: one row for every victim, so 1 + 50 + 1 always fit (docs/privacy.md).
    /// </summary>
    /// <param name="absent">Victims stored for the crime whose rows still hold a copy of a snapshot that listed them, when this one does not.</param>
    /// <param name="indexed">The victims' index entries this snapshot adds (<see cref="IndexRule.Between"/>); the crime's own is added here.</param>
    public async Task<bool> TryCommitAsync(CrimeStateEntity crime, ETag? storedCrime, IEnumerable<(VictimState State, ETag ETag, SnapshotCopy Copy)> victims, IReadOnlyList<Stored<VictimState>> absent, IEnumerable<TallyEvent> counted, CancellationToken cancellationToken, TableTransactionAction? audit = null, IEnumerable<IndexEntry>? indexed = null)
    {
        counted = counted.ToList();
        List<TableTransactionAction> actions =
        [
            storedCrime is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, crime, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, crime),
            .. victims.Select(v => v.ETag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, v.State.ToRow(default, v.Copy))
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, v.State.ToRow(v.ETag, v.Copy), v.ETag)),
            .. (audit is null ? Array.Empty<TableTransactionAction>() : [audit]),
        ];
        var tallies = TallyStore.StateRows(crime.PartitionKey, counted).ToList();
        if (actions.Count + absent.Count + tallies.Count < MaxTransaction)
        {
            // The steps that follow write their index rows to the crime's outbox. A crime too large to open it here has
            // its steps write the index directly, as when the outbox is closed.
            actions.Add(IndexOutbox.Open(crime.PartitionKey));
        }

        var cleared = absent.Take(MaxTransaction - actions.Count).ToList();
        actions.AddRange(cleared.Select(v => new TableTransactionAction(TableTransactionActionType.UpdateReplace, v.State.ToRow(v.ETag, SnapshotCopy.NotInLatest), v.ETag)));
        var together = actions.Count + tallies.Count <= MaxTransaction;
        try
        {
            await Table.SubmitTransactionAsync(together ? [.. actions, .. tallies] : actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }

        if (!together)
        {
            // Too many for one transaction (a crime with many victims): a crash before this write is covered by the
            // redelivery, which finds the snapshot stale and counts the stored state's events again.
            await UpsertAsync(tallies, cancellationToken);
        }

        // A crash before this write is covered by the redelivery, which finds the snapshot stale and indexes the stored state again.
        await index.ApplyAsync(crime.CrimeReference, counted, [new CrimeStored(crime.CrimeReference, crime.UpdatedAt), new OutboxOpened(crime.CrimeReference, crime.UpdatedAt), .. indexed ?? []], cancellationToken);

        // Only a crime whose 50 victims all replace 50 others leaves victims over: cleared now, and again by a redelivery.
        await ClearCopiesAsync(absent.Skip(cleared.Count), cancellationToken);
        return true;
    }

    /// <summary>
    /// Marks victims as no longer in the crime's latest snapshot, dropping their copies: each row re-read and
    /// ETag-checked, so a step's write in between is never lost.
    /// </summary>
    public async Task ClearCopiesAsync(IEnumerable<Stored<VictimState>> victims, CancellationToken cancellationToken)
    {
        foreach (var victim in victims)
        {
            for (var held = victim; held is { Copy.Source: not SnapshotSource.NotInLatest };)
            {
                // The state is unchanged, so there is no audit entry: the ingest's own entry records the snapshot.
                var row = held.State.ToRow(held.ETag, SnapshotCopy.NotInLatest);
                if (await Table.TryReplaceWithAsync(row, [], cancellationToken))
                {
                    break;
                }

                held = await LoadVictimAsync(held.State.CrimeReference, held.State.VictimId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Replaces the victim's row held with its next state, only if nobody changed the row since it was read, with the
    /// tally events and the audit entry of the change: the row as now stored, or null otherwise. The row keeps its copy
    /// of the snapshot.
    /// </summary>
    public async Task<Stored<VictimState>?> TryReplaceAsync(Stored<VictimState> held, VictimState next, CancellationToken cancellationToken, IEnumerable<TallyEvent>? counted = null)
    {
        var row = next.ToRow(held.ETag, held.Copy);
        var events = (counted ?? []).ToList();
        if (!await outbox.TryReplaceAsync(Table, row, [.. TallyStore.StateRows(row.PartitionKey, events), AuditRow.ForVictim(row, held.State, next, held.ETag)],
                next.CrimeReference, events, IndexRule.Between(IndexRule.Of(held.State), IndexRule.Of(next)), held.State.UpdatedAt, cancellationToken))
        {
            return null;
        }

        return held with { State = next, ETag = row.ETag };
    }

    /// <summary>
    /// An operator's change of the victim's row (a Victim Care Unit task's step): the row, ETag-checked, with its tally
    /// events and the operator's audit entry in one transaction, then its month index entries. False when the row changed.
    /// </summary>
    public async Task<bool> TryReplaceByOperatorAsync(Stored<VictimState> held, VictimState next, TableTransactionAction audit, CancellationToken cancellationToken)
    {
        var row = next.ToRow(held.ETag, held.Copy);
        var events = TallyRule.Between(held.State, next).ToList();
        if (!await Table.TryReplaceWithAsync(row, [.. TallyStore.StateRows(row.PartitionKey, events), audit], cancellationToken))
        {
            return false;
        }

        // A crash before this write is covered by the operator's repeat of the command, which finds the step done and
        // counts and indexes the stored state again (TaskDesk).
        await index.ApplyAsync(next.CrimeReference, events, IndexRule.Between(IndexRule.Of(held.State), IndexRule.Of(next)), cancellationToken);
        return true;
    }

    /// <summary>
    /// Counts a crime's events again (idempotent), with index entries the caller found done: after a crash between a
    /// change and its events or its index, or a redelivery.
    /// </summary>
    public async Task CountAsync(string crimeReference, IEnumerable<TallyEvent> counted, CancellationToken cancellationToken, IEnumerable<IndexEntry>? indexed = null)
    {
        var events = counted.ToList();
        await UpsertAsync([.. TallyStore.StateRows(PartitionKeyFor(crimeReference), events)], cancellationToken);
        await index.ApplyAsync(crimeReference, events, indexed ?? [], cancellationToken);
    }

    /// <summary>
    /// Counts and indexes a victim's stored state again (idempotent: every tally event and index entry it implies), for a
    /// step found done whose events or index write a crash may have cut short.
    /// </summary>
    public Task CountAgainAsync(VictimState victim, CancellationToken cancellationToken) =>
        CountAsync(victim.CrimeReference, TallyRule.Between(null, victim), cancellationToken, IndexRule.Of(victim));

    private async Task UpsertAsync(IReadOnlyList<TableTransactionAction> rows, CancellationToken cancellationToken)
    {
        foreach (var batch in rows.Chunk(MaxTransaction))
        {
            await Table.SubmitTransactionAsync(batch, cancellationToken);
        }
    }

    /// <summary>
    /// An operator's replay (<see cref="ReplayRule"/>): the victim's row as the rule requeued it, ETag-checked, with an
    /// audit entry naming who replayed it.
    /// </summary>
    public async Task RequeueAsync(Stored<VictimState> victim, VictimState requeued, string operatorName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = requeued with { UpdatedAt = now };
        await Table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, next.ToRow(victim.ETag, victim.Copy), victim.ETag),
                AuditRow.ForOperator(next.CrimeReference, AuditRule.OfOperator(next.VictimId, AuditAction.Replay, now, operatorName, null, AuditRule.OfMessages(victim.State, next).Facts)),
            ], cancellationToken);
        await index.ApplyAsync(next.CrimeReference, [], IndexRule.Between(IndexRule.Of(victim.State), IndexRule.Of(next)), cancellationToken);
    }

    public IAsyncEnumerable<VictimStateEntity> AllVictimsAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<VictimStateEntity>(VictimRows, cancellationToken: cancellationToken);
}
