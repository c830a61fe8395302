using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Receipts;
using Referrals.Receipts;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.Server;
using WireMockResponse = WireMock.ResponseBuilders.Response;

namespace Referrals.Pipeline.Tests;

/// <summary><c>GET /v2/notifications/{id}</c> against Notify faked at the HTTP level: the request Notify expects, and each kind of answer.</summary>
public sealed class NotifyStatusLookupTests : IDisposable
{
    private const string ServiceId = "26785a09-ab16-4eb0-8407-a37497a57506";
    private const string Secret = "3d844edf-8d35-48ac-975b-e847b4f122b0";
    private const string ApiKey = "referrals_test-" + ServiceId + "-" + Secret;
    private const string Id = "740e5834-3a29-46b4-9a6f-16142fde533a";

    private readonly WireMockServer _notify = WireMockServer.Start();
    private readonly HttpClient _http = new(PipelineServices.OutboundHandler());
    private readonly RecordingTime _time = new();

    public void Dispose()
    {
        _notify.Stop();
        _notify.Dispose();
        _http.Dispose();
    }

    private NotifyStatusLookup Lookup() =>
        new(_http, Options.Create(new Referrals.Pipeline.Configuration.NotifyOptions { ApiKey = ApiKey, BaseUrl = _notify.Url! }), _time);

    private void Answer(int status, string body) =>
        _notify.Given(Request.Create().WithPath($"/v2/notifications/{Id}").UsingGet())
            .RespondWith(WireMockResponse.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

    [Fact]
    public async Task A_letter_Notify_reports_as_received_is_a_delivered_receipt_for_its_reference()
    {
        Answer(200, $$"""{"id":"{{Id}}","reference":"ref-7","type":"letter","status":"received","line_1":"A Person","postcode":"SW1A 1AA","created_at":"2026-10-05T09:00:00.000000Z","sent_at":"2026-10-06T09:00:00.000000Z","completed_at":null,"template":{"id":"f33517ff-2a88-4f6e-b855-c550268ce08a","version":1,"uri":"x"} }""");

        var found = Assert.IsType<StatusLookup.Found>(await Lookup().GetAsync(Id, CancellationToken.None));

        Assert.Equal((Channel.Letter, ReceiptStatus.Delivered, "ref-7"), (found.Report.Receipt!.Channel, found.Report.Receipt.Status, found.Report.Receipt.Reference));
    }

    [Fact]
    public async Task The_request_carries_a_JWT_Notify_accepts_iss_the_service_id_iat_now_HS256_with_the_secret()
    {
        Answer(200, $$"""{"id":"{{Id}}","reference":"r","type":"sms","status":"sending","created_at":"2026-10-05T09:00:00.000000Z"}""");

        await Lookup().GetAsync(Id, CancellationToken.None);

        var request = Assert.Single(_notify.LogEntries).RequestMessage;
        var authorization = request.Headers!["Authorization"].Single();
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        var parts = authorization["Bearer ".Length..].Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        using var claims = JsonDocument.Parse(FromBase64Url(parts[1]));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(ServiceId, claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.Equal(expected, FromBase64Url(parts[2]));
        Assert.DoesNotContain(Secret, authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_Notify_no_longer_has_is_not_found() =>
        Assert.IsType<StatusLookup.NotFound>(await AnswerAndLookUp(404, """{"errors":[{"error":"NoResultFound","message":"No result found"}],"status_code":404}"""));

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(403, false)]
    [InlineData(400, false)]
    [InlineData(302, false)]
    public async Task Other_answers_fail_and_only_429_and_5xx_are_worth_retrying(int status, bool retry)
    {
        var failed = Assert.IsType<StatusLookup.Failed>(await AnswerAndLookUp(status, """{"errors":[{"error":"X","message":"Jo Bloggs"}]}"""));

        Assert.Equal(retry, failed.WorthRetrying);
        Assert.StartsWith($"Notify answered {status} ", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Bloggs", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_is_not_a_notification_fails_without_quoting_it()
    {
        var failed = Assert.IsType<StatusLookup.Failed>(await AnswerAndLookUp(200, """{"id":"Jo Bloggs 07700900123"}"""));

        Assert.False(failed.WorthRetrying);
        Assert.StartsWith("Notify's answer is not a notification: ", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Bloggs", failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-uuid", ApiKey)]
    [InlineData(Id, "not-a-notify-key")]
    [InlineData(Id, "")]
    public async Task Nothing_is_asked_with_a_bad_id_or_key(string id, string key)
    {
        var lookup = new NotifyStatusLookup(_http, Options.Create(new Referrals.Pipeline.Configuration.NotifyOptions { ApiKey = key, BaseUrl = _notify.Url! }), _time);

        Assert.IsType<StatusLookup.Failed>(await lookup.GetAsync(id, CancellationToken.None));
        Assert.Empty(_notify.LogEntries);
    }

    [Fact]
    public void The_API_key_parts_are_its_last_two_UUIDs_whatever_hyphens_its_name_has()
    {
        var key = NotifyApiKey.TryParse("my-key-name-with-hyphens-" + ServiceId + "-" + Secret)!;

        Assert.Equal((ServiceId, Secret), (key.ServiceId, key.Secret));
        Assert.Equal($"Notify API key for service {ServiceId}", key.ToString());
        Assert.DoesNotContain(Secret, key.ToString(), StringComparison.Ordinal);
    }

    private async Task<StatusLookup> AnswerAndLookUp(int status, string body)
    {
        Answer(status, body);
        return await Lookup().GetAsync(Id, CancellationToken.None);
    }

    private static byte[] FromBase64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }
}
