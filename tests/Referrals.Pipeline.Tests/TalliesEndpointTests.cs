using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.LocalHost;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>The OPCC's endpoint over HTTP (the local loopback server, serving the Functions app's endpoint class), on the samples' tallies.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class TalliesEndpointTests(AzuriteFixture azurite)
{
    private static readonly Month October = new(2026, 10);

    private static async Task<(PipelineTestHost Pipeline, LocalTalliesServer Server)> StartAsync(AzuriteFixture azurite, bool withSamples = true)
    {
        var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        if (withSamples)
        {
            await pipeline.SendAsync(Samples.Lines[..10]);
            await pipeline.WaitUntilIdleAsync();
            await pipeline.TalliesAsync(October);
        }

        return (pipeline, await new LocalTalliesServer(pipeline.Services.GetRequiredService<TalliesEndpoint>()).StartAsync());
    }

    [Fact]
    public async Task Json_gives_each_month_and_the_total_aggregates_only()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"{server.Url}/api/tallies?from=2026-09&to=2026-10"));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["2026-09", "2026-10"], json.RootElement.GetProperty("months").EnumerateArray().Select(m => m.GetProperty("month").GetString()));
        // September was never counted: blank (null), never 0, and so is the total over it.
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("months")[0].GetProperty("counts").GetProperty(TallyCategories.TotalVictims).ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("total").GetProperty(TallyCategories.TotalVictims).ValueKind);
        Assert.Equal(12, json.RootElement.GetProperty("months")[1].GetProperty("counts").GetProperty(TallyCategories.TotalVictims).GetInt64());
        Assert.Equal(ExpectedTallies.Of(Samples.Lines[..10])[TallyCategories.OptOutAutoReferrals], json.RootElement.GetProperty("months")[1].GetProperty("counts").GetProperty(TallyCategories.OptOutAutoReferrals).GetInt64());
        Assert.DoesNotContain("DB/26", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Taylor", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?from=2026-10&to=2026-10&format=csv", null)]
    [InlineData("?from=2026-10&to=2026-10", "text/csv")]
    public async Task Csv_is_asked_for_by_format_or_Accept_and_has_a_month_row_and_a_total_row(string query, string? accept)
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{server.Url}/api/tallies{query}"));
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var rows = Encoding.UTF8.GetString(bytes.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        Assert.StartsWith("Month,Declined Support,Converted to Yes and referred,", rows[0], StringComparison.Ordinal);
        Assert.Equal(["2026-10", "total"], rows[1..].Select(r => r.Split(',')[0]));
        Assert.Equal(rows[1].Split(',')[1..^2], rows[2].Split(',')[1..^2]);
    }

    [Theory]
    [InlineData("", "Both 'from' and 'to' are required")]
    [InlineData("?from=2026-10", "Both 'from' and 'to' are required")]
    [InlineData("?from=October&to=2026-11", "'from' must be a month written yyyy-MM")]
    [InlineData("?from=2026-10&to=2026-1", "'to' must be a month written yyyy-MM")]
    [InlineData("?from=2026-11&to=2026-10", "'from' (2026-11) is after 'to' (2026-10)")]
    [InlineData("?from=2024-01&to=2027-01", "At most 36 months")]
    [InlineData("?from=2026-10&to=2026-10&format=xml", "'format' must be json or csv")]
    public async Task A_malformed_request_gets_400_with_the_reason(string query, string reason)
    {
        var (pipeline, server) = await StartAsync(azurite, withSamples: false);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"{server.Url}/api/tallies{query}"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aggregating_twice_at_once_and_again_gives_the_same_tallies()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        var before = await pipeline.TalliesAsync(October);

        var aggregator = pipeline.Services.GetRequiredService<TallyAggregator>();
        await Task.WhenAll(aggregator.AggregateAsync([October], CancellationToken.None), aggregator.AggregateAsync([October], CancellationToken.None));
        var after = await pipeline.TalliesAsync(October);

        Assert.Equal(before.Categories.Select(c => before[October, c.Key]), after.Categories.Select(c => after[October, c.Key]));
        Assert.Equal(12, after[October, TallyCategories.TotalVictims]);
    }

    [Fact]
    public async Task The_operator_CLI_prints_the_same_tallies_as_a_table()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;

        var (exitCode, output) = await pipeline.CliAsync("tallies", "--from", "2026-10", "--to", "2026-10");
        var (refused, reason) = await pipeline.CliAsync("tallies", "--from", "2026-10", "--to", "2026-09");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"Total Victims\n2026-10 +(\S+ +){5}12\ntotal +(\S+ +){5}12\n", output);
        Assert.Equal(2, refused);
        Assert.Contains("'from' (2026-10) is after 'to' (2026-09)", reason, StringComparison.Ordinal);
    }
}
