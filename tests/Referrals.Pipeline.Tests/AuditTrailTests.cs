using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>The audit trail on Azurite: every change has its entry, written with it, and a change that did not happen has none.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class AuditTrailTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_snapshot_of_fifty_victims_commits_with_its_audit_entries_inside_one_transaction()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var snapshot = JsonNode.Parse(Samples.Lines[0])!;
        var victim = snapshot["victims"]![0]!;
        snapshot["victims"] = new JsonArray([.. Enumerable.Range(1, 50).Select(i =>
        {
            var copy = victim.DeepClone();
            copy["id"] = $"V{i}";
            copy["email"] = $"victim{i}@example.org";
            return copy;
        })]);
        await pipeline.SendAsync([snapshot.ToJsonString()]);
        await pipeline.WaitUntilIdleAsync(180);

        var records = pipeline.Services.GetRequiredService<VictimHistory>();
        var histories = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => records.HistoryAsync("DB/26/000101", $"V{i}", CancellationToken.None)));

        Assert.Equal(50, (await pipeline.VictimsAsync()).Count);
        Assert.All(histories, h => Assert.Equal(AuditAction.Snapshot, h[0].Action));
        Assert.All(histories, h => Assert.Contains(h, e => e.Action == AuditAction.Email && e.Facts.Contains("email: Sending → Sent")));
        var rows = await AuditRowsAsync(pipeline);
        Assert.Single(rows, r => r.RowKey.Contains("|snapshot-v1@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_refused_for_a_stale_row_version_leaves_no_audit_entry()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        var store = pipeline.Services.GetRequiredService<VictimStateStore>();
        var victim = (await store.LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None))!;
        var before = (await AuditRowsAsync(pipeline)).Count;

        var changed = await store.TryReplaceAsync(victim, victim.State.With(Channel.Email, victim.State.Contact.Email with { Status = MessageStatus.Failed }), CancellationToken.None);
        var stale = await store.TryReplaceAsync(victim, victim.State.With(Channel.Email, victim.State.Contact.Email with { Status = MessageStatus.Unconfirmed }), CancellationToken.None);

        Assert.NotNull(changed);
        Assert.Null(stale);
        Assert.Equal(before + 1, (await AuditRowsAsync(pipeline)).Count);
        var history = await pipeline.Services.GetRequiredService<VictimHistory>().HistoryAsync("DB/26/000101", "V1", CancellationToken.None);
        Assert.Contains(history, e => e.Facts.Contains("email: Sent → Failed"));
        Assert.DoesNotContain(history, e => e.Facts.Any(f => f.Contains("Unconfirmed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task No_audit_row_of_the_samples_run_holds_a_name_contact_or_date_of_birth()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines);
        await pipeline.WaitUntilIdleAsync();
        var personal = Samples.Lines.Select(TryParse).OfType<JsonNode>()
            .SelectMany(s => s["victims"]!.AsArray())
            .SelectMany(v => new[] { v?["givenName"], v?["familyName"], v?["email"], v?["phone"], v?["dateOfBirth"], v?["parentOrGuardian"]?["name"], v?["parentOrGuardian"]?["email"] })
            .Select(v => v?.GetValue<string>()).OfType<string>().Distinct().ToList();

        var rows = await AuditRowsAsync(pipeline);
        var text = string.Join("\n", rows.Select(r => AuditRow.EntriesOf(new AuditEntity { Entries = r.GetBinary(nameof(AuditEntity.Entries)) }))
            .SelectMany(e => e).SelectMany(e => e.Facts.Concat(e.Reasons).Append(e.VictimId).Append(e.EventId ?? "")));

        Assert.Contains("Taylor", personal);
        Assert.True(rows.Count > 20);
        Assert.Contains("referral status: AutoReferred", text, StringComparison.Ordinal);
        Assert.All(personal, value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
    }

    private static JsonNode? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject { } snapshot && snapshot["victims"] is JsonArray ? snapshot : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task<List<TableEntity>> AuditRowsAsync(PipelineTestHost pipeline) =>
        await pipeline.Services.GetRequiredService<StorageClients>().Tables.GetTableClient(pipeline.Options.VictimStateTable)
            .QueryAsync<TableEntity>(AuditRow.Range).ToListAsync();
}
