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
}
