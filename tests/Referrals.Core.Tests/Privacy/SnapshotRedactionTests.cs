using System.Text;
using Referrals.Contract;
using Referrals.Privacy;

namespace Referrals.Tests.Privacy;

/// <summary>An erased victim's entry is removed from a stored snapshot; the rest still parses, unchanged in meaning.</summary>
public class SnapshotRedactionTests
{
    private const string TwoVictims = """
        {"schemaVersion":1,"eventId":"e-1","sentAt":"2026-10-05T09:14:00Z",
         "crime":{"reference":"DB/26/000001","version":2,"recordedAt":"2026-10-05T08:50:00+01:00","offence":{"homeOfficeCode":"28E"},"flags":[]},
         "victims":[
           {"id":"V1","givenName":"Sam","familyName":"Taylor","email":"sam@example.org","emailSafe":true,"support":"NotAsked"},
           {"id":"V2","givenName":"Alex","familyName":"Jones","dateOfBirth":"1990-02-03","phone":"07700900123","support":"Accepted"}]}
        """;

    [Fact]
    public void The_erased_victim_is_gone_and_the_other_parses_as_before()
    {
        var redacted = SnapshotRedaction.Without(Encoding.UTF8.GetBytes(TwoVictims), new HashSet<string> { "V2" });

        var text = Encoding.UTF8.GetString(redacted);
        Assert.DoesNotContain("Alex", text, StringComparison.Ordinal);
        Assert.DoesNotContain("07700900123", text, StringComparison.Ordinal);
        var snapshot = CrimeEventParser.Parse(redacted).Snapshot;
        Assert.NotNull(snapshot);
        var victim = Assert.Single(snapshot.Victims);
        Assert.Equal(("V1", "Sam", "sam@example.org"), (victim.Id, victim.GivenName, victim.Email));
        Assert.Equal(2, snapshot.Crime.Version);
    }

    [Fact]
    public void A_snapshot_sent_with_a_byte_order_mark_is_redacted_and_keeps_it()
    {
        byte[] payload = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(TwoVictims)];

        var redacted = SnapshotRedaction.Without(payload, new HashSet<string> { "V2" });

        Assert.Equal(payload[..3], redacted[..3]);
        Assert.DoesNotContain("Alex", Encoding.UTF8.GetString(redacted), StringComparison.Ordinal);
        Assert.Equal("V1", Assert.Single(CrimeEventParser.Parse(redacted).Snapshot!.Victims).Id);
    }

    [Fact]
    public void A_payload_naming_victims_twice_is_refused_rather_than_half_redacted()
    {
        var twice = TwoVictims.Replace("\"victims\":[", "\"vic\\u0074ims\":[{\"id\":\"V2\"}],\"victims\":[", StringComparison.Ordinal);

        Assert.ThrowsAny<System.Text.Json.JsonException>(() => SnapshotRedaction.Without(Encoding.UTF8.GetBytes(twice), new HashSet<string> { "V2" }));
    }

    [Fact]
    public void Nothing_is_stored_when_every_victim_is_erased() =>
        Assert.Empty(SnapshotRedaction.Without(Encoding.UTF8.GetBytes(TwoVictims), new HashSet<string> { "V1", "V2" }));

    [Fact]
    public void A_snapshot_without_erased_victims_is_stored_byte_for_byte()
    {
        var payload = Encoding.UTF8.GetBytes(TwoVictims);

        Assert.Same(payload, SnapshotRedaction.Without(payload, new HashSet<string> { "V9" }));
    }

    [Fact]
    public void A_snapshot_whose_other_victims_hold_hostile_text_still_loses_the_erased_victim()
    {
        var hostile = TwoVictims.Replace("\"Sam\"", "\"S\\ud800am\\u0000\\u202e\"", StringComparison.Ordinal);

        var redacted = SnapshotRedaction.Without(Encoding.UTF8.GetBytes(hostile), new HashSet<string> { "V2" });

        Assert.Contains("\"V1\"", Encoding.UTF8.GetString(redacted), StringComparison.Ordinal);
        Assert.DoesNotContain("Alex", Encoding.UTF8.GetString(redacted), StringComparison.Ordinal);
    }
}
