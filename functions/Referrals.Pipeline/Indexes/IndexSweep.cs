using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Indexes;

/// <summary>
/// Finishes what a crash left between a state transaction and its month index write. The step's own message is the
/// record that the write is owed: it is deleted only when the step has finished, so a crash brings it back, and the
/// redelivery writes the index of what it finds done (<see cref="VictimStateStore.CountAsync"/>). What is not delivered
/// again is what was dead-lettered instead (a step that kept failing): this sweep writes, from the state rows (the
/// truth), the whole index of every crime a poison dead letter names, once per dead letter sighting. The recount runs it
/// first, so a month is counted from a complete index. It also indexes one crime on demand (`referrals reindex`).
/// </summary>
public sealed partial class IndexSweep(StorageClients clients, IOptions<PipelineOptions> options, MonthIndex index, TimeProvider time, ILogger<IndexSweep> logger)
{
    /// <summary>Its cursor in the month index: poison dead letters seen up to when.</summary>
    public const string Cursor = "sweep";

    /// <summary>How far back a sweep that never ran looks: the dead-letter period's default.</summary>
    private static readonly TimeSpan FirstLook = TimeSpan.FromDays(90);

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    private TableClient DeadLetters => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    /// <returns>How many crimes were indexed again.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (through, read) = await index.ReadCursorAsync(Cursor, cancellationToken);
        var seen = TableClient.CreateQueryFilter($"PartitionKey eq {DeadLetterStore.PartitionOf(DeadLetterKind.Poison)} and LastSeenAt gt {through ?? now - FirstLook} and LastSeenAt le {now}");
        var crimes = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var letter in DeadLetters.QueryAsync<DeadLetterEntity>(seen, select: [nameof(DeadLetterEntity.Crimes), nameof(DeadLetterEntity.CrimeReference), nameof(DeadLetterEntity.Message)], cancellationToken: cancellationToken))
            {
                crimes.UnionWith(DeadLetterStore.CrimesOf(letter));
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever dead-lettered here.
        }

        foreach (var crime in crimes)
        {
            await ReindexAsync(VictimStateStore.PartitionKeyFor(crime), cancellationToken);
        }

        await index.AdvanceCursorAsync(Cursor, now, read, cancellationToken);
        LogSwept(logger, crimes.Count);
        return crimes.Count;
    }

    /// <summary>
    /// Writes one crime's whole index from its partition of the state table: the time its last snapshot was stored, each
    /// victim's and delivery's entries, its tally rows as they are, and, for a partition whose crime was forgotten but
    /// whose audit rows remain, the time of the oldest of them. Idempotent. Returns how many transactions it took.
    /// </summary>
    public async Task<int> ReindexAsync(string partition, CancellationToken cancellationToken)
    {
        var quoted = TableKeys.Quote(partition);
        var crime = await States.GetEntityIfExistsAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition), cancellationToken: cancellationToken);
        var victims = await States.QueryAsync<VictimStateEntity>($"PartitionKey eq {quoted} and RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'", cancellationToken: cancellationToken)
            .Select(v => v.ToStored().State).ToListAsync(cancellationToken);
        var deliveries = await States.QueryAsync<DeliveryEntity>($"PartitionKey eq {quoted} and RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'", cancellationToken: cancellationToken)
            .Select(d => d.ToStored().State).ToListAsync(cancellationToken);
        var reference = crime.HasValue ? crime.Value!.CrimeReference : victims.FirstOrDefault()?.CrimeReference ?? deliveries.FirstOrDefault()?.CrimeReference;
        List<IndexEntry> entries = [.. victims.SelectMany(IndexRule.Of), .. deliveries.SelectMany(IndexRule.Of)];
        if (crime.HasValue)
        {
            entries.Add(new CrimeStored(crime.Value!.CrimeReference, crime.Value.UpdatedAt));
        }
        else if (await States.QueryAsync<Privacy.AuditEntity>($"PartitionKey eq {quoted} and {Privacy.AuditRow.Range}", select: [nameof(Privacy.AuditEntity.At), nameof(Privacy.AuditEntity.CrimeReference)], maxPerPage: 1, cancellationToken: cancellationToken)
            .FirstOrDefaultAsync(cancellationToken) is { } audit)
        {
            // Forgotten, with audit rows still to go at their own time (RetentionPurge).
            reference ??= audit.CrimeReference;
            entries.Add(new CrimeStored(audit.CrimeReference, audit.At));
        }

        // An outbox the crime's snapshot opened and no drain closed yet: the drain looks at it again.
        var writes = reference is null ? 0 : await index.ApplyAsync(reference, [], [.. entries, new OutboxOpened(reference, time.GetUtcNow())], cancellationToken);
        var tallies = await States.QueryAsync<TableEntity>($"PartitionKey eq {quoted} and RowKey ge '{Tallies.TallyStore.StateRowPrefix}' and RowKey lt 'tally;'", select: ["RowKey", "Category", "Service"], cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken);
        return writes + await index.ApplyStateTallyRowsAsync(partition, tallies, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Index sweep: {Crimes} crimes of poison dead letters indexed again")]
    private static partial void LogSwept(ILogger logger, int crimes);
}
