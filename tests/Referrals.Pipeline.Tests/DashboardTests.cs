using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.LocalHost;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>Quarters, long CSV, suppression, month status and the dashboard over HTTP (the local loopback server, serving the Functions app's classes), on the samples.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class DashboardTests(AzuriteFixture azurite)
{
    private static readonly Month October = new(2026, 10);

    private static async Task<(PipelineTestHost Pipeline, LocalTalliesServer Server)> StartAsync(AzuriteFixture azurite)
    {
        var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines[..10]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.TalliesAsync(October, October.Next, October.Next.Next);
        return (pipeline, await new LocalTalliesServer(pipeline.Services.GetRequiredService<TalliesEndpoint>(), pipeline.Services.GetRequiredService<DashboardEndpoint>()).StartAsync());
    }

    [Fact]
    public async Task The_long_csv_of_a_quarter_is_well_formed_and_gives_the_same_figures_as_the_json()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();

        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{server.Url}/api/tallies?quarter=2026-27-Q3")));
        var response = await http.GetAsync(new Uri($"{server.Url}/api/tallies?quarter=2026-27-Q3&format=csv-long"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var rows = Csv.Parse(bytes);

        Assert.Equal(("2026-10", "2026-12", "2026-27-Q3"), (json.RootElement.GetProperty("from").GetString(), json.RootElement.GetProperty("to").GetString(), json.RootElement.GetProperty("quarter").GetString()));
        Assert.Equal("attachment; filename=\"tallies-2026-27-Q3-long.csv\"", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(["month", "category", "service", "value", "status", "counted_at"], rows[0]);
        var categories = json.RootElement.GetProperty("categories").EnumerateArray().ToList();
        var medians = rows.Count(r => r[1] == TallyReport.FirstAttemptMedianFigure);
        Assert.Equal(4 * json.RootElement.GetProperty("months")[0].GetProperty(TallyReport.FirstAttemptMedianKey).EnumerateObject().Count(), medians);
        Assert.Equal(1 + (4 * categories.Count) + medians, rows.Count);
        var months = json.RootElement.GetProperty("months").EnumerateArray().ToDictionary(m => m.GetProperty("month").GetString()!);
        foreach (var row in rows.Skip(1).Where(r => r[1] != TallyReport.FirstAttemptMedianFigure))
        {
            var category = categories.Single(c => c.GetProperty("figure").GetString() == row[1] && (c.TryGetProperty("service", out var s) ? s.GetString() : string.Empty) == row[2]);
            var key = category.GetProperty("key").GetString()!;
            var expected = row[0] == "2026-27-Q3" ? json.RootElement.GetProperty("total").GetProperty(key) : months[row[0]].GetProperty("counts").GetProperty(key);
            Assert.Equal(expected.ToString(), row[3]);
            if (row[0] != "2026-27-Q3")
            {
                Assert.Equal(months[row[0]].GetProperty("status").GetString(), row[4]);
            }
        }

        Assert.Contains(rows, r => r[0] == "2026-10" && r[1] == TallyCategories.TotalVictims && r[3] == "12");
        Assert.Contains(rows, r => r[0] == "2026-10" && r[1] == TallyCategories.ReferralsLate && r[2] == "general" && long.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Suppressed_figures_are_hidden_in_every_format_and_no_shown_figure_is_small()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();

        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{server.Url}/api/tallies?from=2026-10&to=2026-11&suppressBelow=5")));
        var wide = Csv.Parse(await http.GetByteArrayAsync(new Uri($"{server.Url}/api/tallies?from=2026-10&to=2026-11&suppressBelow=5&format=csv")));
        var counts = json.RootElement.GetProperty("months").EnumerateArray().SelectMany(m => m.GetProperty("counts").EnumerateObject())
            .Concat(json.RootElement.GetProperty("total").EnumerateObject()).Select(p => p.Value).ToList();

        Assert.Equal(5, json.RootElement.GetProperty("suppressBelow").GetInt32());
        Assert.Contains(counts, c => c.ValueKind == JsonValueKind.String && c.GetString() == "<5");
        // A zero is shown unless it would reveal that a small group shares an attribute (SuppressionRelationsTests).
        Assert.All(counts.Where(c => c.ValueKind == JsonValueKind.Number), c => Assert.True(c.GetInt64() is >= 5 or 0, $"{c} is shown though below 5"));
        Assert.Contains(counts, c => c.ValueKind == JsonValueKind.Number && c.GetInt64() == 0);
        Assert.All(counts.Where(c => c.ValueKind == JsonValueKind.String), c => Assert.True(c.GetString() is "<5" or "[c]", c.GetString()));
        Assert.All(wide.Skip(1).SelectMany(r => r[1..^2]), v => Assert.True(v is "<5" or "[c]" or "" or "–" || long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) is >= 5 or 0, $"{v} is shown though below 5"));
        var rates = json.RootElement.GetProperty("months")[0].GetProperty("rates");
        Assert.Equal("[c]", rates.GetProperty("OnTimeRate.idva").GetString());

        var (exitCode, output) = await pipeline.CliAsync("tallies", "--quarter", "2026-27-Q3", "--format", "csv-long", "--suppress-below", "5");
        Assert.Equal(0, exitCode);
        Assert.Contains("2026-10,TotalVictims,,12,", output, StringComparison.Ordinal);
        Assert.Contains(",<5,", output, StringComparison.Ordinal);
        Assert.Equal(2, (await pipeline.CliAsync("tallies", "--quarter", "2026-27-Q7")).ExitCode);
        Assert.Equal(2, (await pipeline.CliAsync("tallies", "--from", "2026-10", "--to", "2026-10", "--suppress-below", "1")).ExitCode);
    }

    [Fact]
    public async Task Each_month_says_when_it_was_counted_and_a_change_to_a_final_month_is_applied_as_a_revision()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var store = pipeline.Services.GetRequiredService<TallyStore>();
        var longAgo = new Month(2025, 1);
        var current = Month.Of(DateTimeOffset.UtcNow);
        await store.RecordAsync([new TallyEvent(longAgo, TallyCategories.RejectedMessages, "letter-1"), new TallyEvent(current, TallyCategories.RejectedMessages, "letter-2")], CancellationToken.None);

        var first = await pipeline.TalliesAsync(longAgo);
        await store.RecordAsync([new TallyEvent(longAgo, TallyCategories.RejectedMessages, "letter-3")], CancellationToken.None);
        var (exitCode, output) = await pipeline.CliAsync("tallies", "--from", "2025-01", "--to", "2025-01", "--refresh", "--format", "json");
        var now = await pipeline.TalliesAsync(current);

        Assert.Equal(("final", 0), (first.StatusOf(longAgo)!.State, first.StatusOf(longAgo)!.Revisions));
        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var month = json.RootElement.GetProperty("months")[0];
        Assert.Equal(("final", 1, 2), (month.GetProperty("status").GetString(), month.GetProperty("revisions").GetInt32(), month.GetProperty("counts").GetProperty(TallyCategories.RejectedMessages).GetInt32()));
        Assert.Equal([TallyCategories.RejectedMessages], month.GetProperty("revised").EnumerateArray().Select(k => k.GetString()));
        Assert.True(month.GetProperty("countedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal("provisional", now.StatusOf(current)!.State);
    }

    [Fact]
    public async Task A_rejected_message_counts_in_the_month_of_its_sentAt_when_it_can_be_read_else_in_the_month_it_arrived()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var readable = Samples.Lines.Single(l => l.Contains("\"bad-1\"", StringComparison.Ordinal));
        var unreadable = Samples.Lines.Single(l => l.Contains("this is not json", StringComparison.Ordinal));
        await pipeline.SendAsync([readable, unreadable]);
        await pipeline.WaitUntilIdleAsync();

        var current = Month.Of(DateTimeOffset.UtcNow);
        var report = await pipeline.TalliesAsync(October, current);

        Assert.Equal(2, (await pipeline.DeadLettersAsync(DeadLetters.DeadLetterKind.Rejected)).Count);
        Assert.Equal((1, 1), (report[October, TallyCategories.RejectedMessages], report[current, TallyCategories.RejectedMessages]));
    }

    [Fact]
    public async Task A_category_added_later_appears_in_the_tallies_without_a_code_change()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.Services.GetRequiredService<TallyStore>().RecordAsync([new TallyEvent(October, "Written.Letter", "DB/26/000101:V1"), new TallyEvent(October, "Sms.Delivered", "DB/26/000101:V1")], CancellationToken.None);

        var report = await pipeline.TalliesAsync(October);
        using var compliance = JsonDocument.Parse(ComplianceView.ToJson(report));

        Assert.Equal(1, report[October, "Sms.Delivered"]);
        Assert.Contains(report.Categories, c => c.Key == "Written.Letter" && c.Group == TallyGroups.WrittenInformation);
        Assert.Contains(compliance.RootElement.GetProperty("measures").EnumerateArray(), m => m.GetProperty("key").GetString() == "WrittenInformation.Written.Letter");
    }

    [Fact]
    public async Task The_dashboard_page_its_assets_and_its_data_are_served_with_no_key_and_no_personal_data()
    {
        var (pipeline, server) = await StartAsync(azurite);
        await using var _ = pipeline;
        await using var __ = server;
        using var http = new HttpClient();

        var page = await http.GetAsync(new Uri(server.DashboardUrl));
        var html = await page.Content.ReadAsStringAsync();
        var script = await http.GetStringAsync(new Uri($"{server.DashboardUrl}/app.js"));
        var style = await http.GetStringAsync(new Uri($"{server.DashboardUrl}/app.css"));
        var data = await http.GetStringAsync(new Uri($"{server.DashboardUrl}/data?from=2026-10&to=2026-12"));
        var compliance = await http.GetStringAsync(new Uri($"{server.DashboardUrl}/data?quarter=2026-27-Q3&view=compliance"));
        var missing = await http.GetAsync(new Uri($"{server.DashboardUrl}/../../etc/passwd"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/api/dashboard/app.js", html, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, missing.StatusCode);
        foreach (var served in new[] { html, script, style, data, compliance })
        {
            Assert.DoesNotContain("code=", served, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("x-functions-key", served, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch("https?://(?!www\\.w3\\.org/2000/svg)", served);
            Assert.DoesNotContain("DB/26", served, StringComparison.Ordinal);
        }

        foreach (var line in Samples.Lines[..10])
        {
            using var snapshot = JsonDocument.Parse(line);
            foreach (var victim in snapshot.RootElement.GetProperty("victims").EnumerateArray())
            {
                foreach (var field in new[] { "givenName", "familyName", "email" })
                {
                    if (victim.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 2 } text)
                    {
                        Assert.DoesNotMatch($@"\b{System.Text.RegularExpressions.Regex.Escape(text)}\b", data);
                    }
                }
            }
        }

        Assert.Contains("ReferredWithin2WorkingDays", compliance, StringComparison.Ordinal);
        Assert.Contains("cannotSee", compliance, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Functions_app_serves_the_dashboard_without_a_function_key_and_the_tallies_only_with_one()
    {
        static Microsoft.Azure.Functions.Worker.HttpTriggerAttribute Trigger(Type function) =>
            function.GetMethod("Run")!.GetParameters().Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false).SingleOrDefault()).OfType<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().Single();

        var dashboard = Trigger(typeof(Functions.GetDashboard));
        var tallies = Trigger(typeof(Functions.GetTallies));

        Assert.Equal((Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous, "dashboard/{*path}", "get"), (dashboard.AuthLevel, dashboard.Route, string.Join(',', dashboard.Methods!)));
        Assert.Equal(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function, tallies.AuthLevel);
    }

    [Theory]
    [InlineData("""{"claims":[{"typ":"roles","val":"Tallies.Read"}]}""", ClientPrincipal.Access.Allowed)]
    [InlineData("""{"role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","claims":[{"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"Tallies.Read"}]}""", ClientPrincipal.Access.Allowed)]
    [InlineData("""{"claims":[{"typ":"roles","val":"tallies.read"}]}""", ClientPrincipal.Access.NoRole)]
    [InlineData("""{"claims":[{"typ":"name","val":"Tallies.Read"}]}""", ClientPrincipal.Access.NoRole)]
    [InlineData("""{"claims":{"typ":"roles"}}""", ClientPrincipal.Access.NotSignedIn)]
    [InlineData("""[]""", ClientPrincipal.Access.NotSignedIn)]
    public void The_role_is_read_only_from_role_claims_of_the_principal_header(string principal, ClientPrincipal.Access access) =>
        Assert.Equal(access, ClientPrincipal.Check(Convert.ToBase64String(Encoding.UTF8.GetBytes(principal)), "Tallies.Read"));
}

/// <summary>An RFC 4180 reader that also checks what Excel and Power BI need: a UTF-8 byte order mark and CRLF after every record, nothing else.</summary>
internal static class Csv
{
    public static List<string[]> Parse(byte[] bytes)
    {
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' && field.Length == 0)
            {
                for (i++; !(text[i] == '"' && (i + 1 == text.Length || text[i + 1] != '"')); i++)
                {
                    field.Append(text[i]);
                    i += text[i] == '"' ? 1 : 0;
                }

                Assert.True(i + 1 < text.Length && text[i + 1] is ',' or '\r', "a quoted field ends at a comma or the end of its record");
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r')
            {
                Assert.Equal('\n', text[++i]);
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                Assert.NotEqual('\n', c);
                field.Append(c);
            }
        }

        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        return rows;
    }
}
