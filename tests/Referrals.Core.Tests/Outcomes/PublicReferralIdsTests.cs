using System.Text;
using Referrals.Forwarding;
using Referrals.Outcomes;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Outcomes;

public class PublicReferralIdsTests
{
    [Fact]
    public void A_new_id_is_opaque_random_and_reads_back_as_itself_in_any_case()
    {
        var id = PublicReferralIds.New();
        Assert.Matches("^R(-[0-9A-Z]{5}){5}$", id);
        Assert.NotEqual(id, PublicReferralIds.New());
        Assert.Equal(id, PublicReferralIds.Normalise($"  {id.ToLowerInvariant()} "));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("R-ABCDE")]
    [InlineData("ref:CR/1:V1:svc")]
    [InlineData("R-ABCDE-ABCDE-ABCDE-ABCDE-ABCDU")]
    [InlineData("R-ABCDE-ABCDE-ABCDE-ABCDE-ABCDE\nX: y")]
    public void Anything_else_is_not_a_public_id(string? typed) => Assert.Null(PublicReferralIds.Normalise(typed));

    [Fact]
    public void The_referral_document_carries_the_public_id_in_its_json_and_its_text_and_not_the_ids_it_hides()
    {
        var snapshot = Snapshot("28E", victims: Victim());
        var id = PublicReferralIds.New();
        var document = ReferralDocument.For(DeliveryKind.Referral, "svc", snapshot, snapshot.Victims[0], Decide(snapshot), id);
        Assert.Contains($"\"publicId\":\"{id}\"", Encoding.UTF8.GetString(document.ToJsonBytes()), StringComparison.Ordinal);
        Assert.Contains($"Referral id for outcomes: {id}\r\n", document.ToText(), StringComparison.Ordinal);
        Assert.DoesNotContain(snapshot.Crime.Reference, id, StringComparison.Ordinal);
        Assert.Null(ReferralDocument.For(DeliveryKind.Referral, "svc", snapshot, snapshot.Victims[0], Decide(snapshot), "forged\r\nName: x").PublicId);
    }

    [Fact]
    public void Statuses_and_reasons_are_read_by_their_exact_names_only()
    {
        Assert.Equal(ServiceStatus.ContactUnsafe, OutcomeCodes.Status("ContactUnsafe"));
        Assert.Null(OutcomeCodes.Status("contactunsafe"));
        Assert.Null(OutcomeCodes.Status("6"));
        Assert.Equal(CouldNotContactReason.NoResponse, OutcomeCodes.Reason("NoResponse"));
        Assert.Null(OutcomeCodes.Reason("1"));
    }
}
