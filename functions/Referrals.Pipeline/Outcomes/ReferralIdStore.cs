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

/// <summary>
/// Referrals by public id: one point read a report, never a query (docs/outcomes.md). A self-locating id's row is in the
/// month index (<see cref="Indexes.MonthIndex.ReferralId"/>, written by the ingest); an id issued before issue 24, or by a
/// hand-on that is not a snapshot's (an operator's action), is in table ReferralIds, read when the month index has no row.
/// </summary>
/// <param name="keys">The key of the self-locating ids (<see cref="ReferralIdKeys"/>): none, only the referral's own id is forgotten.</param>
public sealed class ReferralIdStore(Storage.StorageClients clients, IOptions<PipelineOptions> options, Indexes.MonthIndex index, ReferralIdKeys? keys = null)
{
    private TableClient Table => clients.Tables.GetTableClient(options.Value.ReferralIdTable);

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Idempotent: the same id always names the same referral.</summary>
    public Task RecordAsync(string publicId, string crimeReference, string victimId, string serviceId, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new ReferralIdEntity { PartitionKey = publicId, CrimeReference = crimeReference, VictimId = victimId, ServiceId = serviceId }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>At the end of the audit period, with the referral's rows: gone from both places (already gone is fine).</summary>
    public async Task ForgetAsync(string publicId, CancellationToken cancellationToken)
    {
        if (Referrals.Forwarding.PublicReferralIds.PlaceOf(publicId) is { Month: { } month } place)
        {
            await index.ForgetReferralAsync(month, place.Bucket, publicId, cancellationToken);
        }

        try
        {
            await Table.DeleteEntityAsync(publicId, ReferralIdEntity.Row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Forgotten by an earlier run that stopped before the crime's rows went.
        }
    }

    /// <summary>
    /// At the end of the audit period: the referral's own id (<see cref="ForgetAsync(string, CancellationToken)"/>), then
    /// each id a later snapshot of its crime issued it again that nobody used (<see cref="Referrals.Forwarding.PublicReferralIds.ReissuableIn"/>):
    /// one point delete a month, already gone is fine.
    /// </summary>
    public async Task ForgetAsync(string crimeReference, string deliveryId, string? publicId, DateTimeOffset createdAt, DateTimeOffset lastStored, CancellationToken cancellationToken)
    {
        if (publicId is not null)
        {
            await ForgetAsync(publicId, cancellationToken);
        }

        var bucket = Indexes.MonthIndex.Bucket(Storage.VictimStateStore.PartitionKeyFor(crimeReference));
        foreach (var month in keys is null ? [] : Referrals.Forwarding.PublicReferralIds.ReissuableIn(publicId, createdAt, lastStored))
        {
            var id = keys!.For(new DateTimeOffset(month.Year, month.Number, 15, 12, 0, 0, TimeSpan.Zero), crimeReference, deliveryId);
            if (id != publicId)
            {
                await index.ForgetReferralAsync(month, bucket, id, cancellationToken);
            }
        }
    }

    /// <summary>The referral a well-formed public id names, or null.</summary>
    public async Task<ReferralIdEntity?> FindAsync(string publicId, CancellationToken cancellationToken)
    {
        if (Referrals.Forwarding.PublicReferralIds.PlaceOf(publicId) is { Month: { } month } place
            && await index.ReferralAsync(month, place.Bucket, publicId, cancellationToken) is { } located)
        {
            return new ReferralIdEntity
            {
                PartitionKey = publicId,
                CrimeReference = located.GetString("CrimeReference") ?? string.Empty,
                VictimId = located.GetString("VictimId") ?? string.Empty,
                ServiceId = located.GetString("ServiceId") ?? string.Empty,
            };
        }

        var row = await Table.GetEntityIfExistsAsync<ReferralIdEntity>(publicId, ReferralIdEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}
