using System.Text;
using Referrals.Forwarding;

namespace Referrals.Tests.Outcomes;

public class ErasureNoticeDocumentTests
{
    [Fact]
    public void An_erasure_notice_names_the_referral_by_its_ids_and_nothing_about_the_victim()
    {
        var id = PublicReferralIds.New();
        var notice = ReferralDocument.ErasureNotice("DB/26/000101", "V1", "general", id);
        var json = Encoding.UTF8.GetString(notice.ToJsonBytes());
        Assert.Equal((DeliveryKind.ErasureNotice, id, "ref:DB/26/000101:V1:general"), (notice.Kind, notice.PublicId, notice.ErasesReferralId));
        Assert.Contains("\"kind\":\"ErasureNotice\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"victim\"", json, StringComparison.Ordinal);
        Assert.Null(((IDeliveryDocument)notice).VictimId);
        Assert.Equal("Erasure notice for referral ref:DB/26/000101:V1:general (crime DB/26/000101)", notice.Subject);
        Assert.Contains($"Referral id for outcomes: {id}\r\n", notice.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_work_plan_asks_for_one_notice_per_referred_service_when_the_victim_is_erased_and_none_after()
    {
        var snapshot = Fixtures.Snapshot("28E", victims: Fixtures.Victim());
        var referred = global::Referrals.State.VictimTransition.Apply(null, Fixtures.Decide(snapshot), DateTimeOffset.UtcNow, global::Referrals.Tallies.Month.Of(DateTimeOffset.UtcNow), Fixtures.WorkingDays).Next;
        var erased = global::Referrals.Tasks.TaskRule.CloseBook(referred, global::Referrals.Tasks.TaskWithdrawal.Erased, DateTimeOffset.UtcNow);
        Assert.Equal(referred.ReferredServices.Select(s => new global::Referrals.State.PlannedDelivery(DeliveryKind.ErasureNotice, s)), global::Referrals.State.WorkPlan.Between(referred, erased).Where(p => p.Kind == DeliveryKind.ErasureNotice));
        Assert.NotEmpty(referred.ReferredServices);
        Assert.Empty(global::Referrals.State.WorkPlan.Between(erased, erased));
    }
}
