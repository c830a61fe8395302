using System.Collections.Specialized;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Forwarding;
using Referrals.Functions;
using Referrals.Outcomes;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Outcomes;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 sections 11 and 12 on Azurite: the recount reads the referrals delivered in a month from the month index
/// (no scan) and each victim's reports, so the contract measures are exact however often the delivery's index row is
/// written and whatever order the service's reports arrive in; they reach the JSON, both CSVs and the compliance CSV,
/// with every reader without the unsuppressed role getting the configured suppression from the server.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class ContractMeasuresRecountTests(AzuriteFixture azurite)
{
    private static readonly Month October = new(2026, 10);

    private static readonly DateTimeOffset DeliveredAt = new(2026, 10, 5, 9, 0, 0, TimeSpan.Zero); // Monday

    [Fact]
    public async Task The_measures_are_recounted_exactly_under_redelivery_and_out_of_order_reports_and_published_suppressed_by_the_server()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?>());
        await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(Samples.Lines[0]));
        var id = PublicReferralIds.New();
        await app.Services.GetRequiredService<ReferralIdStore>().RecordAsync(id, "DB/26/000101", "V1", "general", CancellationToken.None);
        var delivered = new Referrals.Indexes.Delivered(DeliveryId.For(DeliveryKind.Referral, "DB/26/000101", "V1", "general"), DeliveryKind.Referral, "DB/26/000101", "V1", "general", DeliveredAt, new DateOnly(2026, 10, 7), true);
        var index = app.Services.GetRequiredService<MonthIndex>();
        var store = app.Services.GetRequiredService<TallyStore>();
        var desk = app.Services.GetRequiredService<OutcomeDesk>();

        // Out of order, with a repeat: the answer first, the acknowledgement last; the index row written twice (a redelivered step).
        await index.ApplyAsync("DB/26/000101", [], [delivered], CancellationToken.None);
        foreach (var (status, hours) in new[] { (ServiceStatus.SupportAccepted, 30), (ServiceStatus.ContactAttempted, 26), (ServiceStatus.Contacted, 29), (ServiceStatus.ContactAttempted, 40), (ServiceStatus.Received, 2) })
        {
            await desk.ReportAsync(id, "general", new OutcomeReport(status, null, DeliveredAt.AddHours(hours)), "service:general", dryRun: false, CancellationToken.None);
        }

        await index.ApplyAsync("DB/26/000101", [], [delivered], CancellationToken.None);
        var first = await store.AggregateAsync(October, CancellationToken.None);
        var again = await store.AggregateAsync(October, CancellationToken.None);

        foreach (var counts in new[] { first, again })
        {
            Assert.Equal(1, counts[ContractMeasures.Delivered]);
            Assert.Equal(1, counts["Contract.Delivered.general"]);
            Assert.Equal(1, counts["Contract.Acknowledged.general"]);
            Assert.Equal(1, counts["Contract.AttemptedWithinTarget.general"]);
            Assert.Equal(1, counts["Contract.Contacted.general"]);
            Assert.Equal(1, counts["Contract.Accepted.general"]);
            Assert.Equal(1, counts[ContractMeasures.FirstAttemptAfter("general", 1)]);
            Assert.False(counts.ContainsKey("Contract.NoReportByTarget.general"));
        }

        // Unsuppressed (the role): the figures as they are, in JSON and both CSVs, the median beside them.
        var endpoint = app.Services.GetRequiredService<TalliesEndpoint>();
        var query = new NameValueCollection { ["from"] = "2026-10", ["to"] = "2026-11", ["suppressBelow"] = "0" };
        using var json = JsonDocument.Parse((await endpoint.HandleAsync(query, null, unsuppressed: true, CancellationToken.None)).Body);
        var october = json.RootElement.GetProperty("months")[0];
        Assert.Equal(1, october.GetProperty("counts").GetProperty("Contract.Contacted.general").GetInt64());
        Assert.Equal(1, october.GetProperty(TallyReport.FirstAttemptMedianKey).GetProperty("general").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("months")[1].GetProperty("counts").GetProperty("Contract.Contacted.general").ValueKind); // November: not counted
        Assert.False(json.RootElement.TryGetProperty("suppressBelow", out _));
        Assert.Contains(json.RootElement.GetProperty("categories").EnumerateArray(), c => c.GetProperty("key").GetString() == ContractMeasures.Contacted && c.GetProperty("cannotSee").GetString()!.Length > 0);
        var wide = Encoding.UTF8.GetString((await endpoint.HandleAsync(new NameValueCollection(query) { ["format"] = "csv" }, null, true, CancellationToken.None)).Body);
        Assert.Contains("Contacted by the service: Victim Services", wide, StringComparison.Ordinal);
        var longCsv = Encoding.UTF8.GetString((await endpoint.HandleAsync(new NameValueCollection(query) { ["format"] = "csv-long" }, null, true, CancellationToken.None)).Body);
        Assert.Contains("2026-10,Contract.Contacted,general,1,", longCsv, StringComparison.Ordinal);
        Assert.Contains("2026-11,Contract.Contacted,general,,not counted,", longCsv, StringComparison.Ordinal);
        Assert.Contains("2026-10,Contract.MedianWorkingDaysToFirstAttempt,general,1,", longCsv, StringComparison.Ordinal);
        var compliance = await endpoint.HandleAsync(new NameValueCollection(query) { ["view"] = "compliance", ["format"] = "csv" }, null, true, CancellationToken.None);
        Assert.Equal(("text/csv; charset=utf-8", "compliance-2026-10-to-2026-11.csv"), (compliance.ContentType, compliance.FileName));
        Assert.Contains("ContactedByService,Contacted by the service,1,,", Encoding.UTF8.GetString(compliance.Body), StringComparison.Ordinal);

        // Without the role, asking for nothing hidden changes nothing: the server hides below its setting (5).
        using var suppressed = JsonDocument.Parse((await endpoint.HandleAsync(query, null, unsuppressed: false, CancellationToken.None)).Body);
        Assert.Equal(5, suppressed.RootElement.GetProperty("suppressBelow").GetInt32());
        Assert.Equal("<5", suppressed.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty("Contract.Contacted.general").GetString());
        Assert.Equal("[c]", suppressed.RootElement.GetProperty("months")[0].GetProperty(TallyReport.FirstAttemptMedianKey).GetProperty("general").GetString());
        Assert.Equal(0, suppressed.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty(TallyCategories.RejectedMessages).GetInt64()); // a zero revealing nothing is shown
        Assert.Equal("<5", suppressed.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty("Contract.Delivered.idva").GetString()); // "none of the 1 went to idva" is not
    }
}
