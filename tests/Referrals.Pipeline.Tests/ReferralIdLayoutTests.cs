using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Forwarding;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Outcomes;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 24: a referral a snapshot hands on carries a self-locating public id, whose row the ingest writes in the month
/// index with its own index rows (no request of the referral's own); an id issued the old way (table ReferralIds, before
/// this change or for a work item queued without one) is still found; forgetting a referral removes its row in either place.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class ReferralIdLayoutTests(AzuriteFixture azurite)
{
    private const string Crime = "DB/26/000101";

    [Fact]
    public async Task A_referral_is_found_by_its_self_locating_id_an_id_issued_the_old_way_still_is_and_forgetting_removes_each()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var store = pipeline.Services.GetRequiredService<ReferralIdStore>();
        var tables = pipeline.Services.GetRequiredService<StorageClients>().Tables;
        var (oldTable, index) = (tables.GetTableClient(pipeline.Options.ReferralIdTable), tables.GetTableClient(pipeline.Options.MonthIndexTable));

        // The referral's id names the partition of its crime's index rows (month stored, crime's bucket), and the service got it.
        var referral = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == DeliveryKind.Referral && d.CrimeReference == Crime);
        var id = referral.PublicId!;
        var place = PublicReferralIds.PlaceOf(id);
        var crime = (await tables.GetTableClient(pipeline.Options.VictimStateTable).GetEntityAsync<CrimeStateEntity>(VictimStateStore.PartitionKeyFor(Crime), VictimStateStore.CrimeRowKeyFor(VictimStateStore.PartitionKeyFor(Crime)))).Value;
        Assert.Equal((Referrals.Tallies.Month.Of(crime.UpdatedAt), MonthIndex.Bucket(VictimStateStore.PartitionKeyFor(Crime)), (string?)null), (place.Month!.Value, place.Bucket, place.NotLocated));
        Assert.Contains(pipeline.ServiceApis.LogEntries, e => e.RequestMessage.Body!.Contains($"\"publicId\":\"{id}\"", StringComparison.Ordinal));
        var found = await store.FindAsync(id, CancellationToken.None);
        Assert.Equal((Crime, "V1", referral.ServiceId), (found!.CrimeReference, found.VictimId, found.ServiceId));
        Assert.True((await index.GetEntityIfExistsAsync<TableEntity>(MonthIndex.PartitionOf(place.Month.Value, place.Bucket), MonthIndex.ReferralId + id)).HasValue);
        Assert.False((await oldTable.GetEntityIfExistsAsync<TableEntity>(id, ReferralIdEntity.Row)).HasValue);

        // Ids issued the old way: random, one of them with a first group that reads as a place (its row is not there).
        var (old, oldPlaced) = (PublicReferralIds.New(), id[..8] + PublicReferralIds.New()[8..]);
        await store.RecordAsync(old, Crime, "V1", referral.ServiceId, CancellationToken.None);
        await store.RecordAsync(oldPlaced, Crime, "V1", referral.ServiceId, CancellationToken.None);
        Assert.Equal(Crime, (await store.FindAsync(old, CancellationToken.None))?.CrimeReference);
        Assert.Equal(Crime, (await store.FindAsync(oldPlaced, CancellationToken.None))?.CrimeReference);
        Assert.Null(await store.FindAsync(id[..8] + PublicReferralIds.New()[8..], CancellationToken.None));

        // Handed on again by a snapshot stored two months later: another id, indexed, that nobody uses. The end of the
        // audit period forgets it with the referral's own (the months from the id's to the crime's last snapshot).
        var later = new DateTimeOffset(place.Month.Value.Next.Next.Year, place.Month.Value.Next.Next.Number, 10, 9, 0, 0, TimeSpan.Zero);
        var reissued = pipeline.Services.GetRequiredService<ReferralIdKeys>().For(later, Crime, referral.Id);
        await pipeline.Services.GetRequiredService<MonthIndex>().ApplyAsync(Crime, [], [new Referrals.Indexes.ReferralIssued(reissued, Crime, "V1", referral.ServiceId, later)], CancellationToken.None);
        Assert.Equal(Crime, (await store.FindAsync(reissued, CancellationToken.None))?.CrimeReference);
        await store.ForgetAsync(Crime, referral.Id, id, referral.CreatedAt, later, CancellationToken.None);
        Assert.Null(await store.FindAsync(reissued, CancellationToken.None));
        Assert.Null(await store.FindAsync(id, CancellationToken.None));

        // Forgotten (the end of the audit period): gone from both places; forgetting again is fine.
        foreach (var each in new[] { id, old, oldPlaced, id })
        {
            await store.ForgetAsync(each, CancellationToken.None);
            Assert.Null(await store.FindAsync(each, CancellationToken.None));
        }

        Assert.False((await index.GetEntityIfExistsAsync<TableEntity>(MonthIndex.PartitionOf(place.Month.Value, place.Bucket), MonthIndex.ReferralId + id)).HasValue);
        Assert.False((await oldTable.GetEntityIfExistsAsync<TableEntity>(old, ReferralIdEntity.Row)).HasValue);
    }

    [Fact]
    public async Task A_referral_work_item_queued_without_an_id_gets_a_random_one_recorded_in_ReferralIds_before_it_is_sent()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var sent = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == DeliveryKind.Referral && d.CrimeReference == Crime);

        // As a work item queued before the ids were issued with the snapshot: its delivery row not yet made.
        var states = pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable);
        await states.DeleteEntityAsync(sent.PartitionKey, sent.RowKey);
        await pipeline.Services.GetRequiredService<WorkQueues>().EnqueueReferralAsync(
            new ReferralWorkItem(DeliveryKind.Referral, Crime, "V1", sent.ServiceId, sent.Month, sent.DueBy is { } due ? DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture) : null), CancellationToken.None);
        await pipeline.WaitUntilIdleAsync();

        var again = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == DeliveryKind.Referral && d.CrimeReference == Crime);
        Assert.NotEqual(sent.PublicId, again.PublicId);
        Assert.Equal(Referrals.State.DeliveryStatus.Delivered, again.Status);
        var row = await pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.ReferralIdTable).GetEntityIfExistsAsync<ReferralIdEntity>(again.PublicId!, ReferralIdEntity.Row);
        Assert.Equal((Crime, "V1", sent.ServiceId), (row.Value!.CrimeReference, row.Value.VictimId, row.Value.ServiceId));
        Assert.Equal(Crime, (await pipeline.Services.GetRequiredService<ReferralIdStore>().FindAsync(again.PublicId!, CancellationToken.None))?.CrimeReference);
    }
}
