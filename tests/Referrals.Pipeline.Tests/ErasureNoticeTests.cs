using Referrals.Forwarding;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 section 11: erasing a victim sends each service that received their referral one erasure notice (a
/// delivery kind with the referrals' idempotency), naming the referral and nothing about the victim; erasing again sends none.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class ErasureNoticeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Erasing_a_referred_victim_sends_each_referred_service_one_erasure_notice_and_a_repeat_sends_none()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var referred = pipeline.Deliveries().Where(d => d.Kind == nameof(DeliveryKind.Referral)).Select(d => d.Service).ToList();

        var (exitCode, _, error) = await pipeline.ProcessCliAsync("erase", "DB/26/000101", "V1", "--reason", "erasure request ER-7", "--operator", "dpo@police.example");
        await pipeline.WaitUntilIdleAsync();
        var (again, _, _) = await pipeline.ProcessCliAsync("erase", "DB/26/000101", "V1", "--reason", "erasure request ER-7", "--operator", "dpo@police.example");
        await pipeline.WaitUntilIdleAsync();

        Assert.True(exitCode == 0, error);
        Assert.Equal(0, again);
        Assert.Equal(["general"], referred);
        var notice = Assert.Single(pipeline.Deliveries(), d => d.Kind == nameof(DeliveryKind.ErasureNotice));
        Assert.Equal(("general", DeliveryId.For(DeliveryKind.ErasureNotice, "DB/26/000101", "V1", "general")), (notice.Service, notice.Id));
        var row = Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == DeliveryKind.ErasureNotice);
        Assert.Equal(Referrals.State.DeliveryStatus.Delivered, row.Status);
    }

    /// <summary>The first sample's crime at a later version, held (HoldContact) or not.</summary>
    private static string Version(int version, bool held)
    {
        var next = System.Text.Json.Nodes.JsonNode.Parse(Samples.Lines[0])!;
        next["crime"]!["version"] = version;
        next["crime"]!["flags"] = held ? new System.Text.Json.Nodes.JsonArray("HoldContact") : new System.Text.Json.Nodes.JsonArray();
        next["eventId"] = $"evt-101-{version}";
        next["sentAt"] = $"2026-10-0{5 + version}T09:00:00Z";
        return next.ToJsonString();
    }

    [Fact]
    public async Task An_erasure_notice_for_a_held_crime_waits_and_goes_once_when_a_snapshot_lifts_the_hold()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync([Version(2, held: true)]);
        await pipeline.WaitUntilIdleAsync();

        var (exitCode, _, error) = await pipeline.ProcessCliAsync("erase", "DB/26/000101", "V1", "--reason", "erasure request ER-8", "--operator", "dpo@police.example");
        await pipeline.WaitUntilIdleAsync();
        var whileHeld = await pipeline.DeliveryRowsAsync();
        var sentWhileHeld = pipeline.Deliveries().Count(d => d.Kind == nameof(DeliveryKind.ErasureNotice));
        await pipeline.SendAsync([Version(3, held: false)]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync([Version(4, held: false)]);
        await pipeline.WaitUntilIdleAsync();
        var (_, explained) = await pipeline.CliAsync("explain", "DB/26/000101", "V1");

        Assert.True(exitCode == 0, error);
        Assert.Equal(0, sentWhileHeld);
        Assert.DoesNotContain(whileHeld, d => d.Kind == DeliveryKind.ErasureNotice && d.Status != Referrals.State.DeliveryStatus.Pending);
        Assert.Contains(whileHeld, d => d.Kind == DeliveryKind.Referral && d.Status == Referrals.State.DeliveryStatus.Delivered);
        var notice = Assert.Single(pipeline.Deliveries(), d => d.Kind == nameof(DeliveryKind.ErasureNotice));
        Assert.Equal("general", notice.Service);
        Assert.Equal(Referrals.State.DeliveryStatus.Delivered, Assert.Single(await pipeline.DeliveryRowsAsync(), d => d.Kind == DeliveryKind.ErasureNotice).Status);
        // Nothing else goes to the erased victim's services when the hold lifts: the referral went once, before.
        Assert.Single(pipeline.Deliveries(), d => d.Kind == nameof(DeliveryKind.Referral));
        Assert.Contains("held: yes → no", explained, StringComparison.Ordinal);
    }
}
