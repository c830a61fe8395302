using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The recipient index (table EmailRecipients, issue 22): each delivered entitlement email twice, by the keyed hash of its
/// recipient address (partition: the hash; row: the victim) for matching a bounce that names no message, and by its crime
/// (partition <c>crime|</c> and the crime's key; row: the victim and the hash) so the retention purge and an erasure find
/// and remove it with the victim. Two writes when a <c>delivered</c> receipt is applied (none when sending), one look-up
/// per bounce that names no message, deletes when an email bounces, is purged or erased. No address, no name, no query
/// beyond one partition.
/// </summary>
public sealed class RecipientIndex(StorageClients clients, IOptions<PipelineOptions> options)
{
    private const string CrimePrefix = "crime|";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.RecipientIndexTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>The email to the victim was delivered: indexed by its recipient's key (idempotent).</summary>
    public async Task DeliveredAsync(string recipientKey, string crimeReference, string victimId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var crime = VictimStateStore.PartitionKeyFor(crimeReference);
        var victim = TableKeys.Id(victimId);
        await Table.UpsertEntityAsync(
            new TableEntity(CrimePrefix + crime, $"{victim}|{recipientKey}") { ["RecipientKey"] = recipientKey }, TableUpdateMode.Replace, cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(recipientKey, $"{crime}|{victim}") { ["CrimeReference"] = crimeReference, ["VictimId"] = victimId, ["DeliveredAt"] = at },
            TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The emails delivered to the address whose key this is (one partition).</summary>
    public async Task<IReadOnlyList<AwaitingEmail>> AwaitingAsync(string recipientKey, CancellationToken cancellationToken) =>
        await Table.QueryAsync<TableEntity>($"PartitionKey eq {TableKeys.Quote(recipientKey)}", cancellationToken: cancellationToken)
            .Where(r => r.GetString("CrimeReference") is not null && r.GetString("VictimId") is not null && r.GetDateTimeOffset("DeliveredAt") is not null)
            .Select(r => new AwaitingEmail(r.GetString("CrimeReference"), r.GetString("VictimId"), r.GetDateTimeOffset("DeliveredAt")!.Value))
            .ToListAsync(cancellationToken);

    /// <summary>The email to the victim bounced: it awaits nothing more at that address.</summary>
    public Task BouncedAsync(string recipientKey, string crimeReference, string victimId, CancellationToken cancellationToken) =>
        DeleteAsync(recipientKey, VictimStateStore.PartitionKeyFor(crimeReference), TableKeys.Id(victimId), cancellationToken);

    /// <summary>The retention purge: every row of the crime's victims (two partitions per address, read from the crime's).</summary>
    public Task PurgedAsync(string crimeReference, CancellationToken cancellationToken) => ForgetAsync(crimeReference, null, cancellationToken);

    /// <summary>An erasure: every row of the victim.</summary>
    public Task ErasedAsync(string crimeReference, string victimId, CancellationToken cancellationToken) => ForgetAsync(crimeReference, victimId, cancellationToken);

    private async Task ForgetAsync(string crimeReference, string? victimId, CancellationToken cancellationToken)
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
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                var victim = row.RowKey[..row.RowKey.LastIndexOf('|')];
                if (victimId is not null && victim != TableKeys.Id(victimId))
                {
                    continue;
                }

                await DeleteAsync(row.GetString("RecipientKey"), crime, victim, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            // Nothing was ever indexed here.
        }
    }

    /// <summary>The address's row, then the crime's row pointing at it (so a crash leaves the pointer to find again).</summary>
    private async Task DeleteAsync(string recipientKey, string crime, string victim, CancellationToken cancellationToken)
    {
        foreach (var (partition, row) in new[] { (recipientKey, $"{crime}|{victim}"), (CrimePrefix + crime, $"{victim}|{recipientKey}") })
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
}
