using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Outcomes;

/// <summary>
/// One row of table ReferralIds: a referral's public id (partition key; row key "referral") and where its victim's row is.
/// Ids only, no personal data. Written before the referral is sent, so a service never holds an id that leads nowhere.
/// </summary>
public sealed class ReferralIdEntity : ITableEntity
{
    public const string Row = "referral";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public string VictimId { get; set; } = string.Empty;

    public string ServiceId { get; set; } = string.Empty;
}

/// <summary>Referrals by public id: one point read a report, never a query (docs/outcomes.md).</summary>
public sealed class ReferralIdStore(Storage.StorageClients clients, IOptions<PipelineOptions> options)
{
    private TableClient Table => clients.Tables.GetTableClient(options.Value.ReferralIdTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Idempotent: the same id always names the same referral.</summary>
    public Task RecordAsync(string publicId, string crimeReference, string victimId, string serviceId, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new ReferralIdEntity { PartitionKey = publicId, CrimeReference = crimeReference, VictimId = victimId, ServiceId = serviceId }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>At the end of the audit period, with the referral's rows: gone (already gone is fine).</summary>
    public async Task ForgetAsync(string publicId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(publicId, ReferralIdEntity.Row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Forgotten by an earlier run that stopped before the crime's rows went.
        }
    }

    /// <summary>The referral a well-formed public id names, or null.</summary>
    public async Task<ReferralIdEntity?> FindAsync(string publicId, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<ReferralIdEntity>(publicId, ReferralIdEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
