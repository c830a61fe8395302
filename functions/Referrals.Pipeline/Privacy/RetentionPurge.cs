using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Privacy;

/// <summary>What a retention run removed (or, dry, would remove).</summary>
/// <param name="Crimes">Crimes whose snapshot was emptied.</param>
/// <param name="Victims">Victims of those crimes (each counted once as PersonalDataPurged).</param>
/// <param name="PartnerAnswers">Partners' answers cut from delivery and email reasons.</param>
/// <param name="CrimesForgotten">Crimes whose state rows were deleted at the end of the audit period.</param>
public sealed record PurgeCounts(int Crimes, int Victims, int PartnerAnswers, int DeadLetters, int AuditRows, int CrimesForgotten);

/// <summary>
/// The retention function's work (docs/privacy.md, "Retention"): only data already due is removed, each crime's
/// personal data in one transaction that is also its commit point, so a run may be repeated, run twice at once or
/// cut short by a crash and resumed, and removes the same data once. Tally events are never touched.
/// </summary>
public sealed partial class RetentionPurge(
    StorageClients clients,
    IOptions<PipelineOptions> options,
    IOptions<RetentionOptions> retention,
    Tasks.TaskRetention tasks,
    TimeProvider time,
    ILogger<RetentionPurge> logger)
{
    private const int MaxTransaction = 100;
    private const string CrimeRows = $"RowKey ge '{CrimeStateEntity.RowKeyPrefix}' and RowKey lt 'crimeA'";
    private const string VictimRows = $"RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'";
    private const string DeliveryRows = $"RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'";
    private const string StateRows = $"(({VictimRows}) or ({DeliveryRows}))";

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    private TableClient DeadLetters => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    public async Task<PurgeCounts> RunAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var personalBefore = now - TimeSpan.FromDays(retention.Value.PersonalDataDays);
        var auditBefore = now - TimeSpan.FromDays(retention.Value.AuditDays);
        var counts = new PurgeCounts(0, 0, 0, 0, 0, 0);
        var due = TableClient.CreateQueryFilter($"UpdatedAt lt {personalBefore}");
        await foreach (var crime in States.QueryAsync<CrimeStateEntity>($"{CrimeRows} and {due}", cancellationToken: cancellationToken))
        {
            if (crime.UpdatedAt < auditBefore)
            {
                counts = counts with { CrimesForgotten = counts.CrimesForgotten + (dryRun || await ForgetAsync(crime, cancellationToken) ? 1 : 0) };
            }
            else if (crime.PurgedAt is null && await PurgeCrimeAsync(crime, now, dryRun, cancellationToken) is var (victims, answers))
            {
                counts = counts with { Crimes = counts.Crimes + 1, Victims = counts.Victims + victims, PartnerAnswers = counts.PartnerAnswers + answers };
            }
        }

        counts = counts with
        {
            DeadLetters = await DeleteDeadLettersAsync(now - TimeSpan.FromDays(retention.Value.DeadLetterDays), dryRun, cancellationToken),
            AuditRows = await DeleteAuditRowsAsync(auditBefore, dryRun, cancellationToken),
        };
        if (!dryRun)
        {
            LogPurged(logger, counts.Crimes, counts.Victims, counts.PartnerAnswers, counts.DeadLetters, counts.AuditRows, counts.CrimesForgotten);
        }

        return counts;
    }

    /// <summary>
    /// Empties the crime's snapshot and cuts partners' answers from its rows, with a Purge audit entry and a
    /// PersonalDataPurged tally event per victim, all in one transaction when they fit (they do for any crime of up
    /// to about 45 victims with deliveries); null when another run or a new snapshot changed the crime meanwhile.
    /// </summary>
    private async Task<(int Victims, int Answers)?> PurgeCrimeAsync(CrimeStateEntity crime, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        var partition = $"PartitionKey eq {TableKeys.Quote(crime.PartitionKey)}";
        var victimRows = await States.QueryAsync<VictimStateEntity>($"{partition} and {VictimRows}", cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var deliveryRows = await States.QueryAsync<DeliveryEntity>($"{partition} and {DeliveryRows}", cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var victims = victimRows.Select(r => r.VictimId).ToList();
        List<ITableEntity> stripped = [.. victimRows.Select(Stripped).OfType<ITableEntity>(), .. deliveryRows.Select(Stripped).OfType<ITableEntity>()];
        if (dryRun)
        {
            return (victims.Count, stripped.Count);
        }

        var purged = crime.WithSnapshot([], purgedAt: now);
        List<TableTransactionAction> commit =
        [
            new(TableTransactionActionType.UpdateReplace, purged, crime.ETag),
            AuditRow.Add(crime.PartitionKey, crime.CrimeReference, now, $"purge-{AuditRow.ChangeId(crime.RowKey, crime.ETag)}",
                [.. victims.Select(v => AuditRule.OfPurge(v, now, crime.Version, retention.Value.PersonalDataDays))]),
            .. TallyStore.StateRows(crime.PartitionKey, victims.Select(v => new TallyEvent(Month.Of(now), TallyCategories.PersonalDataPurged, $"{crime.CrimeReference}:{v}"))),
        ];
        var changes = stripped.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateReplace, r, r.ETag)).ToList();
        try
        {
            if (changes.Count + commit.Count <= MaxTransaction)
            {
                await States.SubmitTransactionAsync([.. changes, .. commit], cancellationToken);
            }
            else
            {
                // Each cut is the same on a re-run, so a crash between these and the commit only leaves less to do.
                foreach (var batch in changes.Chunk(MaxTransaction))
                {
                    await States.SubmitTransactionAsync(batch, cancellationToken);
                }

                await States.SubmitTransactionAsync(commit.Take(2), cancellationToken);
                foreach (var batch in commit.Skip(2).Chunk(MaxTransaction))
                {
                    await States.SubmitTransactionAsync(batch, cancellationToken);
                }
            }
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return null;
        }

        // Nobody can act on a task without the victim's data: their open tasks are withdrawn, and the Unit told.
        await tasks.PurgedAsync(crime.CrimeReference, victims!, cancellationToken);
        return (victims.Count, stripped.Count);
    }

    /// <summary>
    /// A victim's row with every answer cut (<see cref="RedactionRule"/>) and its copy of the snapshot dropped (the victim
    /// then reads the crime's row, which holds no snapshot any more: nothing is composed from it); null when it holds neither.
    /// </summary>
    private static VictimStateEntity? Stripped(VictimStateEntity row)
    {
        var stored = row.ToStored();
        var cut = RedactionRule.WithoutAnswers(stored.State);
        return row.Snapshot is null && ReferenceEquals(cut, stored.State)
            ? null
            : cut.ToRow(row.ETag, row.Snapshot is null ? stored.Copy : SnapshotCopy.OnCrimeRow);
    }

    /// <summary>A delivery's row with a service's answer cut from its reason; null when it holds none.</summary>
    private static DeliveryEntity? Stripped(DeliveryEntity row)
    {
        var stored = row.ToStored().State;
        var cut = RedactionRule.WithoutAnswer(stored);
        return ReferenceEquals(cut, stored) ? null : cut.ToRow(row.ETag);
    }

    /// <summary>At the end of the audit period: the crime's victim and delivery rows, then its row (so a crash leaves it to find again).</summary>
    private async Task<bool> ForgetAsync(CrimeStateEntity crime, CancellationToken cancellationToken)
    {
        await tasks.ForgetAsync(crime.CrimeReference, cancellationToken);
        var rows = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(crime.PartitionKey)} and {StateRows}", select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken);
        try
        {
            foreach (var batch in rows.Chunk(MaxTransaction))
            {
                await States.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
            }

            await States.DeleteEntityAsync(crime.PartitionKey, crime.RowKey, crime.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    private async Task<int> DeleteDeadLettersAsync(DateTimeOffset before, bool dryRun, CancellationToken cancellationToken)
    {
        var deleted = 0;
        try
        {
            await foreach (var letter in DeadLetters.QueryAsync<DeadLetterEntity>(TableClient.CreateQueryFilter($"FirstSeenAt lt {before}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                // Seen again meanwhile (412): still counted from its first sighting, so the next run removes it.
                deleted += dryRun || await TryDeleteAsync(DeadLetters, letter, letter.ETag, cancellationToken) ? 1 : 0;
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever dead-lettered here.
        }

        return deleted;
    }

    private async Task<int> DeleteAuditRowsAsync(DateTimeOffset before, bool dryRun, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var row in States.QueryAsync<TableEntity>(AuditRow.OlderThan(before), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            deleted += dryRun || await TryDeleteAsync(States, row, ETag.All, cancellationToken) ? 1 : 0;
        }

        return deleted;
    }

    private static async Task<bool> TryDeleteAsync(TableClient table, ITableEntity row, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            return !(await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, etag, cancellationToken)).IsError;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {Crimes} crimes ({Victims} victims) purged of personal data, {PartnerAnswers} partner answers cut, {DeadLetters} dead letters and {AuditRows} audit rows deleted, {CrimesForgotten} crimes forgotten")]
    private static partial void LogPurged(ILogger logger, int crimes, int victims, int partnerAnswers, int deadLetters, int auditRows, int crimesForgotten);
}
