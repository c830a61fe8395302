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

    [Theory]
    [InlineData(2000, 1, 0)]
    [InlineData(2026, 12, 15)]
    [InlineData(9999, 12, 7)]
    public void A_self_locating_id_has_the_same_shape_and_reads_back_its_month_and_bucket(int year, int month, int bucket)
    {
        var mac = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{year}-{month}-{bucket}"));

        var id = PublicReferralIds.Located(new Referrals.Tallies.Month(year, month), bucket, mac);

        Assert.Equal(id, PublicReferralIds.Normalise(id.ToLowerInvariant()));
        Assert.Equal(new IdPlace(new Referrals.Tallies.Month(year, month), bucket, null), PublicReferralIds.PlaceOf(id));
        Assert.NotEqual(id, PublicReferralIds.Located(new Referrals.Tallies.Month(year, month), bucket, mac.Reverse().ToArray()));
    }

    [Theory]
    [InlineData("R-0000G-ABCDE-ABCDE-ABCDE-ABCDE", "its fifth character is no bucket")]
    [InlineData("R-ZZZZ0-ABCDE-ABCDE-ABCDE-ABCDE", "its first four characters are no month")]
    [InlineData("R-ABCDE-ABCDE", "not a public id")]
    [InlineData(null, "not a public id")]
    public void An_id_that_names_no_place_says_why(string? id, string reason)
    {
        var place = PublicReferralIds.PlaceOf(id);
        Assert.Equal((null, reason), (place.Month, place.NotLocated));
    }

    [Fact]
    public void A_self_locating_id_names_no_month_before_2000_or_after_9999_and_no_bucket_past_15() =>
        Assert.All(
            [() => PublicReferralIds.Located(new(1999, 12), 0, new byte[20]), () => PublicReferralIds.Located(new(10000, 1), 0, new byte[20]),
             () => PublicReferralIds.Located(new(2026, 1), 16, new byte[20]), () => PublicReferralIds.Located(new(2026, 1), 0, new byte[19])],
            (Func<string> make) => Assert.Throws<ArgumentOutOfRangeException>(() => make()));

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
