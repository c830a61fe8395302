using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The recipient index (table EmailRecipients, issue 22): each delivered entitlement email twice, by its day of delivery
/// (partition: <c>day|</c> and the UTC date; row: the keyed hash of its recipient address, the crime and the victim) for
/// matching a bounce that names no message, and by its crime (partition <c>crime|</c> and the crime's key; row: the
/// victim, the hash and the day) so the retention purge and an erasure find and remove it with the victim. The day
/// partitions (issue 29) let a webhook batch write its address rows in a few transactions (<see cref="ReceiptBatch"/>).
/// Rows of the layout before them (address rows partitioned by the hash, pointers without a day) are still read and
/// removed. A day's address rows and their pointers go once no bounce can be matched to them (<see cref="RecipientDays"/>,
/// <see cref="ExpireDayAsync"/>). No address, no name, no query beyond one partition.
/// </summary>
public sealed class RecipientIndex(StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time)
{
    private const string CrimePrefix = "crime|";
    private const string DayPrefix = "day|";
    private const int MaxTransaction = 100;

    private TableClient Table => clients.Tables.GetTableClient(options.Value.RecipientIndexTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>The partition of the emails delivered on the UTC day of <paramref name="at"/>.</summary>
    public static string DayOf(DateTimeOffset at) => DayPrefix + at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The email to the victim was delivered: indexed by its recipient's key (idempotent). The crime's pointer is written
    /// first, so a crash leaves the purge and an erasure something to find; the address row then, or, in a batch, with
    /// the batch's others at its end (<see cref="WriteAsync"/>). An email delivered on a day already past matching (a
    /// receipt long delayed) is not indexed: its day's partition may already be emptied.
    /// </summary>
    public async Task DeliveredAsync(string recipientKey, string crimeReference, string victimId, DateTimeOffset at, CancellationToken cancellationToken, ReceiptBatch? batch = null)
    {
        if (RecipientDays.IsExpired(at, time.GetUtcNow()))
        {
            return;
        }

        var (crime, victim, day) = (VictimStateStore.PartitionKeyFor(crimeReference), TableKeys.Id(victimId), DayOf(at));
        await Table.UpsertEntityAsync(
            new TableEntity(CrimePrefix + crime, $"{victim}|{recipientKey}|{day[DayPrefix.Length..]}") { ["RecipientKey"] = recipientKey, ["Day"] = day, ["Victim"] = victim },
            TableUpdateMode.Replace, cancellationToken);
        var address = new TableEntity(day, $"{recipientKey}|{crime}|{victim}") { ["CrimeReference"] = crimeReference, ["VictimId"] = victimId, ["DeliveredAt"] = at };
        if (batch is null)
        {
            await Table.UpsertEntityAsync(address, TableUpdateMode.Replace, cancellationToken);
        }
        else
        {
            batch.Add(address);
        }
    }

    /// <summary>The address rows a batch held: one transaction per day's up to 100 (a single row: one write).</summary>
    public async Task WriteAsync(ReceiptBatch batch, CancellationToken cancellationToken)
    {
        foreach (var rows in batch.Take(MaxTransaction))
        {
            if (rows.Length == 1)
            {
                await Table.UpsertEntityAsync(rows[0], TableUpdateMode.Replace, cancellationToken);
            }
            else
            {
                await Table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The emails delivered to the address whose key this is that a bounce at <paramref name="bouncedAt"/> can be about
    /// (<see cref="RecipientMatch"/>'s window): one query per day of the window, each within one partition and the key's
    /// rows, and one of the key's partition of the layout before issue 29; and the key's rows <paramref name="batch"/>
    /// still holds (a delivery earlier in the bounce's own batch).
    /// </summary>
    public async Task<IReadOnlyList<AwaitingEmail>> AwaitingAsync(string recipientKey, DateTimeOffset bouncedAt, CancellationToken cancellationToken, ReceiptBatch? batch = null)
    {
        var (first, last) = ((bouncedAt - RecipientMatch.Window).UtcDateTime.Date, (bouncedAt + RecipientMatch.Skew).UtcDateTime.Date);
        var filters = Enumerable.Range(0, (last - first).Days + 1)
            .Select(d => $"PartitionKey eq {TableKeys.Quote(DayOf(first.AddDays(d)))} and RowKey ge {TableKeys.Quote(recipientKey + "|")} and RowKey lt {TableKeys.Quote(recipientKey + "}")}")
            .Append($"PartitionKey eq {TableKeys.Quote(recipientKey)}");
        var found = await Task.WhenAll(filters.Select(f => Table.QueryAsync<TableEntity>(f, cancellationToken: cancellationToken).ToListAsync(cancellationToken).AsTask()));
        return [.. found.SelectMany(rows => rows).Concat(batch?.Held(recipientKey + "|") ?? [])
            .Where(r => r.GetString("CrimeReference") is not null && r.GetString("VictimId") is not null && r.GetDateTimeOffset("DeliveredAt") is not null)
            .Select(r => new AwaitingEmail(r.GetString("CrimeReference"), r.GetString("VictimId"), r.GetDateTimeOffset("DeliveredAt")!.Value))];
    }

    /// <summary>The email to the victim bounced: it awaits nothing more at that address (also a row its batch still holds).</summary>
    public Task BouncedAsync(string recipientKey, string crimeReference, string victimId, CancellationToken cancellationToken, ReceiptBatch? batch = null) =>
        ForgetAsync(crimeReference, victimId, recipientKey, batch, cancellationToken);

    /// <summary>The retention purge: every row of the crime's victims (two partitions per email, read from the crime's).</summary>
    public Task PurgedAsync(string crimeReference, CancellationToken cancellationToken) => ForgetAsync(crimeReference, null, null, null, cancellationToken);

    /// <summary>An erasure: every row of the victim.</summary>
    public Task ErasedAsync(string crimeReference, string victimId, CancellationToken cancellationToken) => ForgetAsync(crimeReference, victimId, null, null, cancellationToken);

    private async Task ForgetAsync(string crimeReference, string? victimId, string? recipientKey, ReceiptBatch? batch, CancellationToken cancellationToken)
    {
        var crime = VictimStateStore.PartitionKeyFor(crimeReference);
        var filter = $"PartitionKey eq {TableKeys.Quote(CrimePrefix + crime)}";
        if (victimId is not null)
        {
            var victim = TableKeys.Id(victimId);
            filter += $" and RowKey ge {TableKeys.Quote(victim + "|")} and RowKey lt {TableKeys.Quote(victim + "}")}";
        }

        try
        {
            await foreach (var pointer in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                // A pointer with a day (issue 29) names its address row in the day's partition; one without, in the key's.
                var (key, day) = (pointer.GetString("RecipientKey"), pointer.GetString("Day"));
                var victim = day is null ? pointer.RowKey[..pointer.RowKey.LastIndexOf('|')] : pointer.GetString("Victim");
                if ((victimId is not null && victim != TableKeys.Id(victimId)) || (recipientKey is not null && key != recipientKey))
                {
                    continue;
                }

                var address = day is null ? (Partition: key, Row: $"{crime}|{victim}") : (Partition: day, Row: $"{key}|{crime}|{victim}");
                batch?.Remove(address.Partition, address.Row);
                await DeleteAsync(address.Partition, address.Row, cancellationToken);
                await DeleteAsync(pointer.PartitionKey, pointer.RowKey, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever indexed here.
        }
    }

    /// <summary>
    /// Empties the day's partition, past matching (<see cref="RecipientDays"/>): each address row and its crime's pointer,
    /// at most <paramref name="maxRows"/> of them (dry: counts them). The pointer goes first, so a crash leaves the address
    /// row for the next run's read of the day to find again. Rows of the layout before the day partitions are the
    /// purge's, with their crimes. Returns how many address rows it removed and whether the day is now empty.
    /// </summary>
    public async Task<(int Rows, bool Emptied)> ExpireDayAsync(DateOnly day, int maxRows, bool dryRun, CancellationToken cancellationToken)
    {
        var (partition, rows) = (DayPrefix + RecipientDays.Day(day), 0);
        try
        {
            var filter = $"PartitionKey eq {TableKeys.Quote(partition)}";
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, Math.Clamp(maxRows + 1, 1, 1000), ["RowKey", "CrimeReference", "VictimId"], cancellationToken))
            {
                if (rows == maxRows)
                {
                    return (rows, false);
                }

                // The row key is the recipient's key, the crime's and the victim's, as written by DeliveredAsync.
                var key = row.RowKey.Split('|')[0];
                if (!dryRun && row.GetString("CrimeReference") is { } crime && row.GetString("VictimId") is { } victim)
                {
                    await DeleteAsync(CrimePrefix + VictimStateStore.PartitionKeyFor(crime), $"{TableKeys.Id(victim)}|{key}|{RecipientDays.Day(day)}", cancellationToken);
                }

                if (!dryRun)
                {
                    await DeleteAsync(partition, row.RowKey, cancellationToken);
                }

                rows++;
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever indexed here.
        }

        return (rows, true);
    }

    /// <summary>One row, if it is there (each address row is deleted before the pointer to it, so a crash leaves the pointer to find again).</summary>
    private async Task DeleteAsync(string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
