using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Tests;

/// <summary>How ids appear in logs and in table keys, and what a log line says about a refused snapshot.</summary>
public sealed class LogIdsTests
{
    private static LogIds Ids(string key = "a-test-key-of-at-least-32-characters") =>
        new(Options.Create(new LogRedactionOptions { HashKey = key }));

    [Fact]
    public void Ids_matching_the_forces_patterns_are_logged_as_they_are()
    {
        var ids = Ids();
        Assert.Equal(("DB/26/000101", "V1"), ids.Of("DB/26/000101", "V1"));
        Assert.Equal("4063e9bc-07fd-5efe-b2b6-1a2bcc895d7f", ids.Event("4063e9bc-07fd-5efe-b2b6-1a2bcc895d7f"));
        Assert.Equal("ref:DB/26/000101:V1:general", ids.Delivery(DeliveryKind.Referral, "DB/26/000101", "V1", "general"));
    }

    [Theory]
    [InlineData("Alex Morgan")]
    [InlineData("alex.morgan@example.net")]
    [InlineData("1990-04-12")]
    [InlineData("V1\nV2")]
    [InlineData("V1 Alex")]
    [InlineData("DB/26/000101 Alex Morgan")]
    public void Anything_else_is_logged_as_a_short_keyed_hash(string value)
    {
        var ids = Ids();
        foreach (var logged in new[] { ids.Reference(value), ids.Victim(value), ids.Event(value) })
        {
            Assert.Matches("^#h:[0-9a-f]{8}$", logged);
            Assert.Equal(logged, ids.Victim(value));
        }

        Assert.NotEqual(ids.Victim(value), Ids("another-test-key-of-at-least-32-characters").Victim(value));
    }

    [Fact]
    public void A_pattern_must_match_the_whole_id_and_a_bad_one_stops_start_up()
    {
        var ids = new LogIds(Options.Create(new LogRedactionOptions { HashKey = new string('k', 32), VictimIdPattern = "V[0-9]+" }));
        Assert.Equal("V12", ids.Victim("V12"));
        Assert.StartsWith("#h:", ids.Victim("V12 Alex"), StringComparison.Ordinal);

        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var bad = new LogRedactionOptions { HashKey = "@Microsoft.KeyVault(VaultName=kv;SecretName=log-hash-key)", CrimeReferencePattern = "[" };
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(bad, new(bad), results, validateAllProperties: true));
        Assert.Equal(2, results.Count);
    }

    [Theory]
    [InlineData("victims[0].emailSafe must be true, false or null, not \"someone@example.org\"", "victims[0].emailSafe")]
    [InlineData("victims[1].dateOfBirth must be a yyyy-MM-dd date, not \"Alex Morgan\"; crime.version must be an integer >= 1", "victims[1].dateOfBirth, crime.version")]
    [InlineData("message is not valid JSON: 'A' is an invalid start of a value", "message")]
    [InlineData("Alex.Morgan must be gone", "message")]
    [InlineData("crime.Alex must be gone", "crime")]
    public void A_refusal_is_logged_by_the_contract_fields_it_names_never_by_value(string reason, string logged) =>
        Assert.Equal(logged, RefusalFields.Of(reason));

    [Fact]
    public void Ordinary_ids_keep_their_keys_and_any_other_id_gets_a_key_that_fits()
    {
        Assert.Equal("DB%2F26%2F000101", VictimStateStore.PartitionKeyFor("DB/26/000101"));
        Assert.Equal("victim:V1@DB%2F26%2F000101", VictimStateStore.RowKeyFor("DB/26/000101", "V1"));
        Assert.Equal("delivery:Referral:V1:general@DB%2F26%2F000101", DeliveryStore.RowKeyFor(DeliveryKind.Referral, "DB/26/000101", "V1", "general"));

        var longReference = new string('/', 64);
        var longId = new string('?', 128);
        var key = VictimStateStore.RowKeyFor(longReference, longId);
        Assert.True(key.Length <= 512, key);
        Assert.Matches("^victim:%h[0-9a-f]{64}@(%2F){64}$", key);
        Assert.Equal(key, VictimStateStore.RowKeyFor(longReference, longId));
        Assert.NotEqual(TableKeys.Id("a\ud800"), TableKeys.Id("a\ud801"));
        Assert.Equal("ÐB%2F26", TableKeys.Id("ÐB/26"));
    }
}
