using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Functions;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Outcomes;
using Referrals.Pipeline.Storage;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The outcome API through the real function class (ReportOutcomes) on Azurite (rulebook 1.2 section 11): a service
/// reports every status, out of order and repeated, signed as itself, and reads the current status; forged, altered,
/// stale, replayed, over-sized, over-many and over-frequent requests, and reports on another service's referral, change
/// nothing they should not; storage failing answers 503. Requests are signed here by the documented recipe, not by the app's code.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class OutcomeApiTests(AzuriteFixture azurite)
{
    private const string General = "general-outcome-secret-0123456789abcdef";
    private const string GeneralNext = "general-next-outcome-secret-0123456789ab";
    private const string Idva = "idva-outcome-secret-0123456789abcdef0123";

    private static Dictionary<string, string?> Settings(int perMinute = 100) => new()
    {
        ["Outcomes:Services:general:Secret"] = General,
        ["Outcomes:Services:general:NextSecret"] = GeneralNext,
        ["Outcomes:Services:idva:Secret"] = Idva,
        ["Outcomes:Services:road:Secret"] = "@Microsoft.KeyVault(VaultName=kv-referrals;SecretName=outcome-secret-road)",
        ["Outcomes:RequestsPerMinute"] = perMinute.ToString(CultureInfo.InvariantCulture),
        ["Outcomes:MaxReports"] = "10",
    };

    /// <summary>Crime 101's victim, referred to general, with the public id its referral carries.</summary>
    private static async Task<string> ReferredAsync(FunctionsApp app)
    {
        await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(Samples.Lines[0]));
        var id = PublicReferralIds.New();
        await app.Services.GetRequiredService<ReferralIdStore>().RecordAsync(id, "DB/26/000101", "V1", "general", CancellationToken.None);
        return id;
    }

    private static FunctionRequest Signed(string method, string query, string body, string service, string secret, DateTimeOffset? at = null, string? sentBody = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        var canonical = $"{method}\n/api/outcomes\n{query}\n{timestamp}\n{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        var signature = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(canonical)));
        return new(new Uri($"https://func-referrals.example.net/api/outcomes{(query.Length > 0 ? "?" + query : string.Empty)}"),
            [("X-Referrals-Service", service), ("X-Referrals-Timestamp", timestamp), ("X-Referrals-Signature", signature), ("Content-Type", "application/json")],
            method, Encoding.UTF8.GetBytes(sentBody ?? body));
    }

    private static string Reports(string id, params (string Status, string? Reason, string At)[] reports) => JsonSerializer.Serialize(new
    {
        reports = reports.Select(r => new { referralId = id, status = r.Status, reason = r.Reason, at = r.At }),
    });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(FunctionsApp app, FunctionRequest request)
    {
        var response = (FunctionResponse)await app.Function<ReportOutcomes>().Run(request, CancellationToken.None);
        return (response.StatusCode, JsonDocument.Parse(response.Text).RootElement.Clone());
    }

    private static string[] Results(JsonElement body) => [.. body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()!)];

    [Fact]
    public async Task A_service_reports_every_status_in_any_order_once_each_and_reads_the_current_status()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, Settings());
        var id = await ReferredAsync(app);
        var first = Reports(id, ("Received", null, "2026-10-05T10:00:00Z"), ("ContactAttempted", null, "2026-10-06T09:00:00+01:00"), ("CouldNotContact", "WrongDetails", "2026-10-06T09:30:00"));
        var (status, body) = await SendAsync(app, Signed("POST", string.Empty, first, "general", General));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Applied", "Applied", "Applied"], Results(body));
        var victim = (await app.Services.GetRequiredService<VictimStateStore>().LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None))!.State;
        var task = Assert.Single(victim.Tasks.Tasks);
        Assert.Equal((TaskKind.ServiceCouldNotContact, "general", TaskState.Open), (task.Kind, task.ServiceId, task.State));

        // Out of order, signed with the next secret (rotation), then the first batch again: nothing new, times kept.
        var rest = Reports(id, ("Closed", null, "2026-10-20T10:00:00Z"), ("SupportAccepted", null, "2026-10-08T10:00:00Z"), ("Contacted", null, "2026-10-07T10:00:00Z"),
            ("ContactUnsafe", null, "2026-10-06T12:00:00Z"), ("CouldNotContact", "NoResponse", "2026-10-06T11:00:00Z"), ("SupportDeclined", null, "2026-10-09T10:00:00Z"));
        Assert.Equal(Enumerable.Repeat("Applied", 6), Results((await SendAsync(app, Signed("POST", string.Empty, rest, "general", GeneralNext))).Body));
        Assert.Equal(["Repeated", "Repeated", "Repeated"], Results((await SendAsync(app, Signed("POST", string.Empty, first, "general", General))).Body));

        var (got, current) = await SendAsync(app, Signed("GET", $"referralId={id}", string.Empty, "general", General));
        Assert.Equal((HttpStatusCode.OK, "Closed", id), (got, current.GetProperty("status").GetString(), current.GetProperty("referralId").GetString()));
        Assert.Equal(9, current.GetProperty("reported").EnumerateObject().Count());
        Assert.Equal(DateTimeOffset.Parse("2026-10-06T08:30:00Z", CultureInfo.InvariantCulture), current.GetProperty("reported").GetProperty("CouldNotContact:WrongDetails").GetDateTimeOffset());
        var after = (await app.Services.GetRequiredService<VictimStateStore>().LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None))!.State;
        Assert.Equal((TaskState.Withdrawn, (TaskWithdrawal?)TaskWithdrawal.ServiceContacted), (Assert.Single(after.Tasks.Tasks).State, after.Tasks.Tasks[0].WithdrawnBecause));
    }

    [Fact]
    public async Task Forged_altered_stale_foreign_over_sized_and_over_frequent_requests_change_nothing_and_storage_failing_answers_503()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, Settings(perMinute: 6));
        var id = await ReferredAsync(app);
        var body = Reports(id, ("Received", null, "2026-10-05T10:00:00Z"));
        var states = app.Services.GetRequiredService<VictimStateStore>();
        var before = (await states.LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None))!;

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, Signed("POST", string.Empty, body, "general", "forged-secret-0123456789abcdef0123456"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, Signed("POST", string.Empty, body, "general", General, sentBody: body.Replace("Received", "Closed", StringComparison.Ordinal)))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, Signed("POST", string.Empty, body, "general", General, at: DateTimeOffset.UtcNow.AddMinutes(-10)))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, Signed("POST", string.Empty, body, "road", "@Microsoft.KeyVault(VaultName=kv-referrals;SecretName=outcome-secret-road)"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, Signed("POST", string.Empty, body, "nobody", General))).Status);
        var foreign = await SendAsync(app, Signed("POST", string.Empty, body, "idva", Idva));
        Assert.Equal(HttpStatusCode.OK, foreign.Status);
        Assert.Equal(["NotFound"], Results(foreign.Body));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, Signed("GET", $"referralId={id}", string.Empty, "idva", Idva))).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(app, Signed("POST", string.Empty, body + new string(' ', 70_000), "general", General))).Status);
        var many = await SendAsync(app, Signed("POST", string.Empty, Reports(id, [.. Enumerable.Repeat(("Received", (string?)null, "2026-10-05T10:00:00Z"), 11)]), "general", General));
        Assert.Equal((HttpStatusCode.BadRequest, "TooManyReports: at most 10 reports a request"), (many.Status, many.Body.GetProperty("detail").GetString()));
        var refused = await SendAsync(app, Signed("POST", string.Empty, Reports(id, ("Contacted", "WrongDetails", "2026-10-05T10:00:00Z"), ("Phoned", null, "2026-10-05T10:00:00Z")), "general", General));
        Assert.Equal(["ReasonNotAllowed: only CouldNotContact takes a reason", "UnknownStatus: the status is not one of rulebook section 11"],
            refused.Body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("rule").GetString()));
        Assert.DoesNotContain("Phoned", refused.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal(before.ETag, (await states.LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None))!.ETag);

        // The same signed request twice within the window: the second is a repeat and changes nothing.
        var replayed = Signed("POST", string.Empty, body, "general", General);
        var again = Signed("POST", string.Empty, body, "general", General);
        Assert.Equal(["Applied"], Results((await SendAsync(app, replayed)).Body));
        Assert.Equal(["Repeated"], Results((await SendAsync(app, again)).Body));

        // Storage failing (the referral queue gone when the task's notice is handed on): 503, and the service's repeat,
        // once storage is back, hands the notice on. Then the service's rate is spent: 429.
        var options = app.Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
        var queue = app.Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(options.ReferralQueue);
        await queue.DeleteAsync();
        var unreached = Reports(id, ("CouldNotContact", "WrongDetails", "2026-10-06T10:00:00Z"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(app, Signed("POST", string.Empty, unreached, "general", General))).Status);
        await queue.CreateAsync();
        Assert.Equal(["Repeated"], Results((await SendAsync(app, Signed("POST", string.Empty, unreached, "general", General))).Body));
        var notice = Assert.Single((await queue.PeekMessagesAsync(32)).Value);
        Assert.Contains("ServiceCouldNotContact", notice.MessageText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(app, Signed("GET", $"referralId={id}", string.Empty, "general", General))).Status);
    }
}
