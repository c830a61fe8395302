using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Referrals.Contract;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contract;

public class SnapshotProjectionTests
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static TheoryData<string, string> AcceptedSnapshots()
    {
        var data = new TheoryData<string, string>();
        var sources = new[] { ("samples", SamplesPath), ("hostile", Path.Combine(AppContext.BaseDirectory, "hostile", "crime-events-hostile.jsonl")) };
        foreach (var (name, path) in sources)
        {
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                if (CrimeEventParser.Parse(lines[i]).IsValid)
                {
                    data.Add($"{name}:{i + 1}", lines[i]);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AcceptedSnapshots))]
    public void Each_victims_copy_parses_to_the_same_crime_and_the_same_victim_and_is_no_larger(string line, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var whole = CrimeEventParser.Parse(bytes).Snapshot!;
        var copies = SnapshotProjection.PerVictim(bytes);

        Assert.NotNull(copies);
        Assert.Equal(whole.Victims.Select(v => v.Id).Order(), copies!.Keys.Order());
        foreach (var victim in whole.Victims)
        {
            var copy = copies[victim.Id];
            Assert.True(copy.Length <= bytes.Length, line);
            var parsed = CrimeEventParser.Parse(copy).Snapshot;
            Assert.NotNull(parsed);
            Assert.Equal(Describe(whole with { Victims = [victim] }), Describe(parsed!));
        }
    }

    [Fact]
    public void A_copy_keeps_the_messages_own_bytes_around_the_one_victim_whatever_the_order_and_spacing()
    {
        var node = JsonNode.Parse(SnapshotJson.Valid)!.AsObject();
        var victims = node["victims"]!.AsArray();
        victims.Add(JsonNode.Parse("""{ "id": "V2", "givenName": "Jo\u00EBl", "email": "joel@example.org", "emailSafe": true, "support": "Accepted" }"""));
        node.Remove("victims");
        var message = "\uFEFF{ \"victims\" :\n [ " + string.Join(" ,\n", victims.Select(v => v!.ToJsonString())) + " ] ,"
            + node.ToJsonString()[1..^1] + ", \"zUnknown\": [ { \"victims\": [] } ] }";

        Assert.True(CrimeEventParser.Parse(message).IsValid, CrimeEventParser.Parse(message).Reason);
        var copies = SnapshotProjection.PerVictim(Encoding.UTF8.GetBytes(message));

        Assert.NotNull(copies);
        var second = Encoding.UTF8.GetString(copies!["V2"]);
        Assert.StartsWith("{ \"victims\" :\n [", second, StringComparison.Ordinal);
        Assert.Contains("\"zUnknown\": [ { \"victims\": [] } ] }", second, StringComparison.Ordinal);
        Assert.DoesNotContain("\"V1\"", second, StringComparison.Ordinal);
        Assert.Equal("V2", Assert.Single(CrimeEventParser.Parse(copies["V2"]).Snapshot!.Victims).Id);
        Assert.Equal("V1", Assert.Single(CrimeEventParser.Parse(copies["V1"]).Snapshot!.Victims).Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"victims\": {}}")]
    [InlineData("{\"victims\": [1]}")]
    [InlineData("{\"victims\": [{\"id\": 7}]}")]
    [InlineData("{\"victims\": [{\"id\": \"V1\"}, {\"id\": \"V1\"}]}")]
    [InlineData("{\"victims\": [{\"id\": \"V1\"}")]
    [InlineData("{\"crime\": {}}")]
    public void A_message_that_is_not_an_accepted_snapshot_has_no_copies(string message) =>
        Assert.Null(SnapshotProjection.PerVictim(Encoding.UTF8.GetBytes(message)));

    private static string Describe(CrimeEvent snapshot) => JsonSerializer.Serialize(snapshot, Json);
}
