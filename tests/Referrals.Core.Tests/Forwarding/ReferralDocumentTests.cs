using System.Text.Json;
using Referrals.Contract;
using Referrals.Forwarding;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Forwarding;

/// <summary>Data minimisation: a referral carries what the service needs to contact the victim, and nothing else.</summary>
public class ReferralDocumentTests
{
    private static readonly CrimeEvent Child = CrimeEventParser.Parse(File.ReadAllLines(SamplesPath)[5]).Snapshot!;

    [Fact]
    public void A_referral_names_the_victim_and_how_to_contact_them_safely_but_not_their_date_of_birth()
    {
        var document = ReferralDocument.For(DeliveryKind.Referral, "general", Child, Child.Victims[0], Rulebook.Decide(Child)[0]);
        using var json = JsonDocument.Parse(document.ToJsonBytes());
        var text = json.RootElement.GetRawText();

        Assert.Equal("ref:DB/26/000106:V1:general", json.RootElement.GetProperty("id").GetString());
        Assert.True(json.RootElement.GetProperty("victim").GetProperty("child").GetBoolean());
        Assert.Equal("Jo Taylor", json.RootElement.GetProperty("parentOrGuardian").GetProperty("name").GetString());
        Assert.Contains("\"name\":\"Jo Taylor\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2011-02-01", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dateOfBirth", text, StringComparison.Ordinal);
        Assert.DoesNotContain("officer", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_withdrawal_names_the_referral_and_nothing_about_the_victim()
    {
        using var json = JsonDocument.Parse(ReferralDocument.Withdrawal("DB/26/1", "V1", "general").ToJsonBytes());

        Assert.Equal(["crimeReference", "id", "kind", "service", "withdrawsReferralId"], json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("ref:DB/26/1:V1:general", json.RootElement.GetProperty("withdrawsReferralId").GetString());
    }

    [Fact]
    public void A_secure_email_subject_carries_identifiers_only() =>
        Assert.Equal("Referral ref:DB/26/000106:V1:general (crime DB/26/000106)",
            ReferralDocument.For(DeliveryKind.Referral, "general", Child, Child.Victims[0], Rulebook.Decide(Child)[0]).Subject);
}
