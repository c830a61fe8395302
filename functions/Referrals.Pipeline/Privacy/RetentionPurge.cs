using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Indexes;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Privacy;
using Referrals.Receipts;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Privacy;

/// <summary>What a retention run removed (or, dry, would remove).</summary>
/// <param name="Crimes">Crimes whose snapshot was emptied.</param>
/// <param name="Victims">Victims of those crimes (each counted once as PersonalDataPurged).</param>
/// <param name="PartnerAnswers">Partners' answers cut from delivery and email reasons.</param>
/// <param name="CrimesForgotten">Crimes whose state rows were deleted at the end of the audit period.</param>
/// <param name="RecipientRows">Address rows of the recipient index past matching (<see cref="RecipientDays"/>), each with its pointer.</param>
public sealed record PurgeCounts(int Crimes, int Victims, int PartnerAnswers, int DeadLetters, int AuditRows, int CrimesForgotten, int RecipientRows);

/// <summary>
/// The retention function's work (docs/privacy.md, "Retention"): only data already due is removed, each crime's
/// personal data in one transaction that is also its commit point, so a run may be repeated, run twice at once or
/// cut short by a crash and resumed, and removes the same data once. Tally events are never touched. What is due is
/// found by date in the month index (<see cref="MonthIndex"/>: each crime by the time its last snapshot was stored),
/// read from where the last complete run stopped (its cursor) to the day now due: never what is not due, and never a
/// crime purged by an earlier run again.
/// </summary>
public sealed partial class RetentionPurge(
    StorageClients clients,
    IOptions<PipelineOptions> options,
    IOptions<RetentionOptions> retention,
    Tasks.TaskRetention tasks,
    Outcomes.ReferralIdStore referralIds,
    TimeProvider time,
    MonthIndex index,
    ILogger<RetentionPurge> logger,
    Receipts.RecipientIndex recipients)
{
    /// <summary>The cursors in the month index: personal data purged, and crimes forgotten (with their audit rows), up to when.</summary>
    public const string PurgeCursor = "purge";
    public const string ForgetCursor = "forget";

    /// <summary>The cursor of the recipient index's day partitions: emptied through the day it names (<see cref="RecipientDays"/>).</summary>
    public const string RecipientDaysCursor = "recipient-days";

    private const int MaxTransaction = 100;
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
        var counts = new PurgeCounts(0, 0, 0, 0, 0, 0, 0);

        // Crimes at the end of the audit period first, so none is purged of its personal data and then forgotten in one run.
        var (forgetFrom, forgetRead) = await index.ReadCursorAsync(ForgetCursor, cancellationToken);
        foreach (var (partition, at) in await DueAsync(forgetFrom ?? Earliest(auditBefore), auditBefore, cancellationToken))
        {
            var crime = await CrimeAsync(partition, cancellationToken);
            var forget = crime is not null && crime.UpdatedAt < auditBefore;
            counts = counts with
            {
                CrimesForgotten = counts.CrimesForgotten + (forget && (dryRun || await ForgetAsync(crime!, cancellationToken)) ? 1 : 0),
                AuditRows = counts.AuditRows + await DeleteAuditRowsAsync(partition, forget ? null : crime, auditBefore, dryRun, cancellationToken),
            };
        }

        var (purgeFrom, purgeRead) = await index.ReadCursorAsync(PurgeCursor, cancellationToken);
        foreach (var (partition, _) in await DueAsync(purgeFrom ?? Earliest(personalBefore), personalBefore, cancellationToken))
        {
            // A crime stored again since (its later row comes later), or forgotten above, is not due.
            if (await CrimeAsync(partition, cancellationToken) is not { } crime || crime.UpdatedAt >= personalBefore || crime.UpdatedAt < auditBefore)
            {
                continue;
            }

            if (crime.PurgedAt is null && await PurgeCrimeAsync(crime, now, dryRun, cancellationToken) is var (victims, answers))
            {
                counts = counts with { Crimes = counts.Crimes + 1, Victims = counts.Victims + victims.Count, PartnerAnswers = counts.PartnerAnswers + answers };
                await IndexPurgedAsync(crime.CrimeReference, now, victims, dryRun, cancellationToken);
            }
            else if (crime.PurgedAt is { } purgedAt && !dryRun)
            {
                // Purged by a run cut short before its cursor moved: its events go to the index again, and its open tasks
                // are withdrawn again (both idempotent).
                var purged = await VictimIdsAsync(partition, cancellationToken);
                await IndexPurgedAsync(crime.CrimeReference, purgedAt, purged, dryRun, cancellationToken);
                await tasks.PurgedAsync(crime.CrimeReference, purged, cancellationToken);
                await ForgetRecipientsAsync(crime.CrimeReference, cancellationToken);
            }
        }

        counts = counts with
        {
            DeadLetters = await DeleteDeadLettersAsync(now - TimeSpan.FromDays(retention.Value.DeadLetterDays), dryRun, cancellationToken),
            RecipientRows = await ExpireRecipientDaysAsync(now, dryRun, cancellationToken),
        };
        if (!dryRun)
        {
            // Only after every due crime is done: a run cut short reads the same rows again.
            await index.AdvanceCursorAsync(ForgetCursor, auditBefore, forgetRead, cancellationToken);
            await index.AdvanceCursorAsync(PurgeCursor, personalBefore, purgeRead, cancellationToken);
        }

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
    private async Task<(IReadOnlyList<string> Victims, int Answers)?> PurgeCrimeAsync(CrimeStateEntity crime, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        var partition = $"PartitionKey eq {TableKeys.Quote(crime.PartitionKey)}";
        var victimRows = await States.QueryAsync<VictimStateEntity>($"{partition} and {VictimRows}", cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var deliveryRows = await States.QueryAsync<DeliveryEntity>($"{partition} and {DeliveryRows}", cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var victims = victimRows.Select(r => r.VictimId).ToList();
        List<ITableEntity> stripped = [.. victimRows.Select(Stripped).OfType<ITableEntity>(), .. deliveryRows.Select(Stripped).OfType<ITableEntity>()];
        if (dryRun)
        {
            return (victims, stripped.Count);
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

        // Nobody can act on a task without the victim's data: their open tasks are withdrawn, and the Unit told; their
        // emails leave the recipient index.
        await tasks.PurgedAsync(crime.CrimeReference, victims, cancellationToken);
        await ForgetRecipientsAsync(crime.CrimeReference, cancellationToken);
        return (victims, stripped.Count);
    }

    private Task ForgetRecipientsAsync(string crimeReference, CancellationToken cancellationToken) =>
        recipients.PurgedAsync(crimeReference, cancellationToken);

    /// <summary>
    /// The recipient index's day partitions past matching, oldest first, from the day after its cursor, within the run's
    /// bounds (<see cref="RecipientDays"/>); the cursor moves past each day emptied, so no run reads a day twice or every past day.
    /// </summary>
    private async Task<int> ExpireRecipientDaysAsync(DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        var (through, read) = await index.ReadCursorAsync(RecipientDaysCursor, cancellationToken);
        var (days, reason) = RecipientDays.Due(through is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null, now);
        var (rows, emptied) = (0, (DateOnly?)null);
        foreach (var day in days)
        {
            var (removed, empty) = await recipients.ExpireDayAsync(day, RecipientDays.MaxRowsPerRun - rows, dryRun, cancellationToken);
            rows += removed;
            if (!empty)
            {
                break; // the rest of this day next run
            }

            emptied = day;
        }

        if (!dryRun && emptied is { } last)
        {
            await index.AdvanceCursorAsync(RecipientDaysCursor, new DateTimeOffset(last.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), read, cancellationToken);
        }

        if (!dryRun && days.Count > 0)
        {
            LogRecipientDays(logger, rows, emptied is { } e ? RecipientDays.Day(e) : "none", reason);
        }

        return rows;
    }

    /// <summary>The start of a cursor never set: as far back as anything kept can be (a store indexed by `referrals reindex` has its cursors set).</summary>
    private DateTimeOffset Earliest(DateTimeOffset before) => before - TimeSpan.FromDays(retention.Value.AuditDays);

    /// <summary>The crimes the month index says are due: stored after <paramref name="after"/> and up to <paramref name="through"/>, each once, the oldest first.</summary>
    private async Task<List<(string Partition, DateTimeOffset At)>> DueAsync(DateTimeOffset after, DateTimeOffset through, CancellationToken cancellationToken) =>
        [.. (await index.RangeAsync(MonthIndex.Crime, after, through, cancellationToken).ToListAsync(cancellationToken))
            .Select(r => (Partition: r.RowKey[(MonthIndex.Crime.Length + 29)..], At: MonthIndex.TimeOf(r)))
            .GroupBy(r => r.Partition, StringComparer.Ordinal).Select(g => (g.Key, g.Min(r => r.At))).OrderBy(r => r.Item2)];

    private async Task<CrimeStateEntity?> CrimeAsync(string partition, CancellationToken cancellationToken) =>
        await States.GetEntityIfExistsAsync<CrimeStateEntity>(partition, VictimStateStore.CrimeRowKeyFor(partition), cancellationToken: cancellationToken) is { HasValue: true } found ? found.Value : null;

    private async Task<IReadOnlyList<string>> VictimIdsAsync(string partition, CancellationToken cancellationToken) =>
        await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;'", select: [nameof(VictimStateEntity.VictimId)], cancellationToken: cancellationToken)
            .Select(r => r.GetString(nameof(VictimStateEntity.VictimId))).ToListAsync(cancellationToken);

    /// <summary>A purge's PersonalDataPurged events, as its transaction counted them, in the month index.</summary>
    private Task IndexPurgedAsync(string crimeReference, DateTimeOffset purgedAt, IReadOnlyList<string> victims, bool dryRun, CancellationToken cancellationToken) =>
        dryRun ? Task.CompletedTask : index.ApplyAsync(crimeReference, victims.Select(v => new TallyEvent(Month.Of(purgedAt), TallyCategories.PersonalDataPurged, $"{crimeReference}:{v}")), [], cancellationToken);

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

        // The referrals' public ids go with them (rulebook 1.2 section 11): read from the delivery rows, deleted first.
        // Each referral's id, and those later snapshots issued it again that nobody used.
        await foreach (var referral in States.QueryAsync<DeliveryEntity>($"PartitionKey eq {TableKeys.Quote(crime.PartitionKey)} and {DeliveryRows}", select: ["PublicId", "Id", "Kind", "CreatedAt"], cancellationToken: cancellationToken))
        {
            if (referral.Kind == DeliveryKind.Referral)
            {
                await referralIds.ForgetAsync(crime.CrimeReference, referral.Id, referral.PublicId, referral.CreatedAt, crime.UpdatedAt, cancellationToken);
            }
            else if (referral.PublicId is { } publicId)
            {
                await referralIds.ForgetAsync(publicId, cancellationToken);
            }
        }

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

    /// <summary>Dead letters first seen before <paramref name="before"/>: each kind's partition, those due only.</summary>
    private async Task<int> DeleteDeadLettersAsync(DateTimeOffset before, bool dryRun, CancellationToken cancellationToken)
    {
        var deleted = 0;
        try
        {
            foreach (var kind in Enum.GetValues<DeadLetterKind>())
            {
                var due = TableClient.CreateQueryFilter($"PartitionKey eq {DeadLetterStore.PartitionOf(kind)} and FirstSeenAt lt {before}");
                await foreach (var letter in DeadLetters.QueryAsync<DeadLetterEntity>(due, select: ["PartitionKey", "RowKey", nameof(DeadLetterEntity.Crimes), nameof(DeadLetterEntity.CrimeReference), nameof(DeadLetterEntity.Message)], cancellationToken: cancellationToken))
                {
                    // Seen again meanwhile (412): still counted from its first sighting, so the next run removes it.
                    deleted += dryRun || await TryDeleteAsync(letter, cancellationToken) ? 1 : 0;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever dead-lettered here.
        }

        return deleted;
    }

    /// <summary>
    /// The crime's audit rows older than <paramref name="before"/> (one partition). Rows newer than that, written after
    /// the crime's last snapshot (steps, receipts, operators), are due later: the crime is indexed again at the oldest of
    /// them, unless its own last snapshot (<paramref name="held"/>, still kept) comes first.
    /// </summary>
    private async Task<int> DeleteAuditRowsAsync(string partition, CrimeStateEntity? held, DateTimeOffset before, bool dryRun, CancellationToken cancellationToken)
    {
        var rows = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and {AuditRow.Range}", select: ["PartitionKey", "RowKey", nameof(AuditEntity.At), nameof(AuditEntity.CrimeReference)], cancellationToken: cancellationToken)
            .ToListAsync(cancellationToken);
        var due = rows.Where(r => r.GetDateTimeOffset(nameof(AuditEntity.At)) < before).ToList();
        if (dryRun)
        {
            return due.Count;
        }

        foreach (var batch in due.Chunk(MaxTransaction))
        {
            try
            {
                await States.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Another run deleted some of them first: the rest one by one.
                foreach (var row in batch)
                {
                    try
                    {
                        await States.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                    }
                }
            }
        }

        var kept = rows.Except(due).Where(r => r.GetDateTimeOffset(nameof(AuditEntity.At)) is not null).MinBy(r => r.GetDateTimeOffset(nameof(AuditEntity.At)));
        if (kept?.GetDateTimeOffset(nameof(AuditEntity.At)) is { } next && kept.GetString(nameof(AuditEntity.CrimeReference)) is { } crime && (held is null || next < held.UpdatedAt))
        {
            await index.ApplyAsync(crime, [], [new CrimeStored(crime, next)], cancellationToken);
        }

        return due.Count;
    }

    /// <summary>The dead letter, then its rows in the dead-letter index (<see cref="DeadLetterStore.IndexPartitionOf"/>).</summary>
    private async Task<bool> TryDeleteAsync(DeadLetterEntity letter, CancellationToken cancellationToken)
    {
        try
        {
            await DeadLetters.DeleteEntityAsync(letter.PartitionKey, letter.RowKey, letter.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }

        foreach (var crime in DeadLetterStore.CrimesOf(letter))
        {
            try
            {
                await DeadLetters.DeleteEntityAsync(DeadLetterStore.IndexPartitionOf(crime), $"{letter.PartitionKey}|{letter.RowKey}", ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Never written (a row from before the index), or removed already.
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {Crimes} crimes ({Victims} victims) purged of personal data, {PartnerAnswers} partner answers cut, {DeadLetters} dead letters and {AuditRows} audit rows deleted, {CrimesForgotten} crimes forgotten")]
    private static partial void LogPurged(ILogger logger, int crimes, int victims, int partnerAnswers, int deadLetters, int auditRows, int crimesForgotten);

    // Counts, a day and the rule's own words: no key, crime or victim.
    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {Rows} recipient index address rows past matching removed, emptied through {Day} ({Reason})")]
    private static partial void LogRecipientDays(ILogger logger, int rows, string day, string reason);
}
