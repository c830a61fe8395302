using System.Text.Json.Nodes;
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
    private const string StateRows = $"((RowKey ge '{VictimStateEntity.RowKeyPrefix}' and RowKey lt 'victim;') or (RowKey ge '{DeliveryEntity.RowKeyPrefix}' and RowKey lt 'delivery;'))";

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
        var rows = await States.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(crime.PartitionKey)} and {StateRows}", cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var victims = rows.Where(r => r.RowKey.StartsWith(VictimStateEntity.RowKeyPrefix, StringComparison.Ordinal)).Select(r => r.GetString(nameof(VictimStateEntity.VictimId))).ToList();
        var stripped = rows.Select(Stripped).OfType<TableEntity>().ToList();
        if (dryRun)
        {
            return (victims.Count, stripped.Count);
        }

        var purged = new CrimeStateEntity
        {
            PartitionKey = crime.PartitionKey,
            RowKey = crime.RowKey,
            ETag = crime.ETag,
            CrimeReference = crime.CrimeReference,
            Version = crime.Version,
            EventId = crime.EventId,
            SentAt = crime.SentAt,
            OffenceCode = crime.OffenceCode,
            Snapshot = [],
            UpdatedAt = crime.UpdatedAt,
            ErasedVictims = crime.ErasedVictims,
            PurgedAt = now,
        };
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

    /// <summary>The row with a partner's answer cut from its reasons (the email's, the text message's, the letter's, a delivery's) and a victim's copy of the snapshot dropped, or null when it holds neither.</summary>
    private static TableEntity? Stripped(TableEntity row)
    {
        var victim = row.RowKey.StartsWith(VictimStateEntity.RowKeyPrefix, StringComparison.Ordinal);
        var column = victim ? nameof(VictimStateEntity.EmailReason) : nameof(DeliveryEntity.Reason);
        var copy = victim && row.ContainsKey(nameof(VictimStateEntity.Snapshot));
        if (copy)
        {
            // The victim then reads the crime's row, which holds no snapshot any more: nothing is composed from it.
            row.Remove(nameof(VictimStateEntity.Snapshot));
            row[nameof(VictimStateEntity.SnapshotSource)] = nameof(SnapshotSource.CrimeRow);
        }

        var changed = copy;
        if (row.GetString(column) is { } reason && AuditRule.WithoutAnswer(reason) is var kept && kept != reason)
        {
            row[column] = kept;
            changed = true;
        }

        // The text message's and the letter's states (JSON) may hold GOV.UK Notify's refusal, which can quote what was sent.
        foreach (var channel in victim ? [nameof(VictimStateEntity.Sms), nameof(VictimStateEntity.Letter)] : Array.Empty<string>())
        {
            if (row.GetString(channel) is { } json && JsonNode.Parse(json) is JsonObject state
                && state[nameof(MessageState.Reason)] is JsonValue { } value && value.TryGetValue<string>(out var why) && AuditRule.WithoutAnswer(why) is var cut && cut != why)
            {
                state[nameof(MessageState.Reason)] = cut;
                row[channel] = state.ToJsonString();
                changed = true;
            }
        }

        return changed ? row : null;
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
