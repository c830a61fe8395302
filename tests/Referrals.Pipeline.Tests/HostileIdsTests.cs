using System.Text.Json;
using System.Text.Json.Nodes;
using Referrals.Forwarding;
using Referrals.Pipeline.DeadLetters;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>Ids the contract accepts but a table key or an HTTP header cannot hold as they are, and snapshots the rules cannot decide.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class HostileIdsTests(AzuriteFixture azurite)
{
    /// <summary>A snapshot like sample 105 (auto-referred to the general service, emailed), with the given ids.</summary>
    internal static string Snapshot(string reference, IEnumerable<string> victimIds, string? eventId = null, Action<JsonObject>? change = null)
    {
        var json = JsonNode.Parse(Samples.Lines[4])!.AsObject();
        json["eventId"] = eventId ?? Guid.NewGuid().ToString();
        json["crime"]!["reference"] = reference;
        var template = json["victims"]![0]!.ToJsonString();
        json["victims"] = new JsonArray([.. victimIds.Select(id =>
        {
            var victim = JsonNode.Parse(template)!.AsObject();
            victim["id"] = id;
            return (JsonNode)victim;
        })]);
        change?.Invoke(json);
        return json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    [Fact]
    public async Task The_longest_ids_the_contract_allows_full_of_escaped_characters_are_stored_emailed_and_forwarded_once_with_a_valid_stable_Idempotency_Key()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        // Contract 1.1: references and ids are 1 to 64 printable ASCII characters. Each '/', '?', '#', '%', '\\' or
        // quote is escaped to three characters in a table key, so these are the longest keys the contract can make.
        var longReference = string.Concat(Enumerable.Repeat("DB/26?#%", 8));
        var longIds = Enumerable.Range(1, 50).Select(i => ($"V{i} '\\\"/" + new string('?', 64))[..64]).ToList();
        var nonAscii = Snapshot("ÐB/26/ñ00105", ["Vé1"]);
        var snapshots = new[] { Snapshot(longReference, longIds), Snapshot("DB/26/000901", ["V1"]) };

        // Each sent twice: the second delivery must change nothing. A non-ASCII reference is refused by the contract.
        await pipeline.SendAsync([.. snapshots, .. snapshots, nonAscii]);
        await pipeline.WaitUntilIdleAsync();

        var expected = longIds.Select(id => (longReference, id)).Append(("DB/26/000901", "V1")).Order().ToList();
        var victims = await pipeline.VictimsAsync();
        Assert.Equal(expected, victims.Select(v => (v.CrimeReference, v.VictimId)).Order());
        Assert.All(victims, v => Assert.Equal((ReferralStatus.AutoReferred, MessageStatus.Sent), (v.ReferralStatus, v.EmailStatus)));
        Assert.Equal(expected, pipeline.EmailsAccepted().Select(e => (e.Crime, e.Victim)).Order());
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        var rejected = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Rejected));
        Assert.StartsWith("crime.reference must be 1 to 64 printable ASCII characters", rejected.Reason, StringComparison.Ordinal);

        var requests = pipeline.ServiceApis.LogEntries.Select(e => e.RequestMessage).Where(r => r.Path == "/general/referrals").ToList();
        var keys = requests.Select(r => r.Headers!["Idempotency-Key"].Single()).ToList();
        Assert.Equal(51, keys.Count);
        Assert.Equal(
            expected.Select(v => DeliveryId.For(DeliveryKind.Referral, v.Item1, v.Item2, "general")).Order(StringComparer.Ordinal),
            keys.Order(StringComparer.Ordinal));
        Assert.All(keys, key => Assert.True(key.Length <= 200 && key.All(c => c is >= ' ' and <= '~'), key));
        Assert.All(requests, r => Assert.Equal(JsonDocument.Parse(r.Body!).RootElement.GetProperty("id").GetString(), r.Headers!["Idempotency-Key"].Single()));
        Assert.All(await pipeline.DeliveryRowsAsync(), d => Assert.Equal(DeliveryStatus.Delivered, d.Status));
    }

    [Fact]
    public void Ids_holding_the_separator_never_share_an_Idempotency_Key()
    {
        Assert.NotEqual(
            DeliveryId.For(DeliveryKind.Referral, "A", "B:C", "general"),
            DeliveryId.For(DeliveryKind.Referral, "A:B", "C", "general"));
        Assert.NotEqual(
            DeliveryId.For(DeliveryKind.ConsentRequest, "A", "B:C", "vcu"),
            DeliveryId.For(DeliveryKind.ConsentRequest, "A:B", "C", "vcu"));
        Assert.NotEqual(
            DeliveryId.For(DeliveryKind.Referral, "A%3AB", "C", "general"),
            DeliveryId.For(DeliveryKind.Referral, "A:B", "C", "general"));
    }

    [Fact]
    public void The_Idempotency_Key_of_an_ordinary_id_is_unchanged_and_of_any_other_a_stable_hash()
    {
        Assert.Equal("ref:DB/26/000101:V1:general", DeliveryId.For(DeliveryKind.Referral, "DB/26/000101", "V1", "general"));
        Assert.Equal("vcu-consent:DB/26/000107:V1", DeliveryId.For(DeliveryKind.ConsentRequest, "DB/26/000107", "V1", "vcu"));

        var hashed = DeliveryId.For(DeliveryKind.Referral, "ÐB/26/ñ00105", "Vé1", "general");
        Assert.Matches("^ref-sha256:[0-9a-f]{64}$", hashed);
        Assert.Equal(hashed, DeliveryId.For(DeliveryKind.Referral, "ÐB/26/ñ00105", "Vé1", "general"));
        Assert.NotEqual(hashed, DeliveryId.For(DeliveryKind.Withdrawal, "ÐB/26/ñ00105", "Vé1", "general"));
        Assert.NotEqual(hashed, DeliveryId.For(DeliveryKind.Referral, "ÐB/26/ñ00105", "Vé2", "general"));
    }

    [Fact]
    public async Task A_snapshot_the_rules_cannot_decide_is_refused_at_its_first_delivery_and_the_others_go_on()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        // Accepted by today's parser, but the calendar and the age check cannot compute with them.
        var endOfCalendar = Snapshot("DB/26/000901", ["V1"], change: json => json["crime"]!["recordedAt"] = "9999-12-31T12:00:00Z");
        var bornInFarFuture = Snapshot("DB/26/000902", ["V1"], change: json => json["victims"]![0]!["dateOfBirth"] = "9999-06-01");
        await pipeline.SendAsync([endOfCalendar, bornInFarFuture, Snapshot("DB/26/000903", ["V1"])]);
        await pipeline.WaitUntilIdleAsync(seconds: 20);

        var rejected = await pipeline.DeadLettersAsync(DeadLetterKind.Rejected);
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(1, r.DequeueCount));
        Assert.All(rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        var victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.Equal(("DB/26/000903", MessageStatus.Sent), (victim.CrimeReference, victim.EmailStatus));
    }
}
