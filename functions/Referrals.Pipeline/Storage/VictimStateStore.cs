using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Tallies;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Storage;

/// <summary>A crime's stored state: its last snapshot row and its victims' states, with ETags for optimistic concurrency.</summary>
public sealed record CrimeRecord(string PartitionKey, CrimeStateEntity? Crime, IReadOnlyDictionary<string, Stored<VictimState>> Victims)
{
    public long Version => Crime?.Version ?? 0;

    /// <summary>A crime with nothing stored.</summary>
    public static CrimeRecord None(string crimeReference) =>
        new(VictimStateStore.PartitionKeyFor(crimeReference), null, new Dictionary<string, Stored<VictimState>>(StringComparer.Ordinal));
}

/// <summary>Per-victim state in Azure Table Storage, one partition per crime so a snapshot commits in one transaction.</summary>
public sealed class VictimStateStore(StorageClients clients, IOptions<PipelineOptions> options)
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

    /// <summary>The crime's row (its latest snapshot), for composing from.</summary>
    public async Task<CrimeStateEntity?> LoadCrimeAsync(string crimeReference, CancellationToken cancellationToken)
    {
        var partition = PartitionKeyFor(crimeReference);
        var crime = await Table.GetEntityIfExistsAsync<CrimeStateEntity>(partition, CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        return crime.HasValue ? crime.Value : null;
    }

    /// <summary>The victim's state alone (one request).</summary>
    public async Task<Stored<VictimState>?> LoadVictimAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var victim = await Table.GetEntityIfExistsAsync<VictimStateEntity>(PartitionKeyFor(crimeReference), RowKeyFor(crimeReference, victimId), cancellationToken: cancellationToken);
        return victim.HasValue && victim.Value is { } value ? value.ToStored() : null;
    }

    /// <summary>
    /// Commits a snapshot's crime row and victims' states atomically; fails (false) with 409/412 if another delivery
    /// changed the crime first: the crime row carries the ETag check.
    /// </summary>
    public async Task<bool> TryCommitAsync(CrimeStateEntity crime, ETag? storedCrime, IEnumerable<(VictimState State, ETag ETag)> victims, IEnumerable<TallyEvent> counted, CancellationToken cancellationToken)
    {
        List<TableTransactionAction> actions =
        [
            storedCrime is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, crime, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, crime),
            .. victims.Select(v => v.ETag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, v.State.ToRow(default))
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, v.State.ToRow(v.ETag), v.ETag)),
        ];
        var tallies = TallyStore.StateRows(crime.PartitionKey, counted).ToList();
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

        return true;
    }

    /// <summary>Replaces a victim's row only if nobody changed it since it was read, with the tally events of the change: the new ETag, or null otherwise.</summary>
    public async Task<Stored<VictimState>?> TryReplaceAsync(VictimState victim, ETag etag, CancellationToken cancellationToken, IEnumerable<TallyEvent>? counted = null)
    {
        var row = victim.ToRow(etag);
        return await Table.TryReplaceWithAsync(row, [.. TallyStore.StateRows(row.PartitionKey, counted ?? [])], cancellationToken) ? new Stored<VictimState>(victim, row.ETag) : null;
    }

    /// <summary>Counts a crime's events again (idempotent): after a crash between a change and its events, or a redelivery.</summary>
    public Task CountAsync(string crimeReference, IEnumerable<TallyEvent> counted, CancellationToken cancellationToken) =>
        UpsertAsync([.. TallyStore.StateRows(PartitionKeyFor(crimeReference), counted)], cancellationToken);

    private async Task UpsertAsync(IReadOnlyList<TableTransactionAction> rows, CancellationToken cancellationToken)
    {
        foreach (var batch in rows.Chunk(MaxTransaction))
        {
            await Table.SubmitTransactionAsync(batch, cancellationToken);
        }
    }

    /// <summary>
    /// An operator's replay of a failed or unconfirmed email: back to Queued, so the sender sends it; not when the
    /// information has gone on by text message or letter since (rulebook 1.1: one channel at a time).
    /// </summary>
    public async Task RequeueEmailAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        if (await LoadVictimAsync(crimeReference, victimId, cancellationToken) is { State.Email.Status: EmailStatus.Failed or EmailStatus.Unconfirmed } victim
            && victim.State.Contact.Sms.Status is MessageStatus.NotNeeded or MessageStatus.Suppressed
            && victim.State.Contact.Letter.Status is MessageStatus.NotNeeded or MessageStatus.Suppressed)
        {
            var requeued = victim.State with { Email = victim.State.Email with { Status = EmailStatus.Queued, Reason = null } };
            await Table.UpdateEntityAsync(requeued.ToRow(victim.ETag), victim.ETag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>Victims with a text message or letter Notify accepted and has not reported on yet (the status timer's work).</summary>
    public IAsyncEnumerable<VictimStateEntity> AwaitingNotifyReceiptAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<VictimStateEntity>($"{VictimRows} and (SmsStatus eq 'Sent' or LetterStatus eq 'Sent')", cancellationToken: cancellationToken);

    public IAsyncEnumerable<VictimStateEntity> AllVictimsAsync(CancellationToken cancellationToken) =>
        Table.QueryAsync<VictimStateEntity>(VictimRows, cancellationToken: cancellationToken);
}
