using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Pipeline.Receipts;
using Referrals.Receipts;
using Referrals.StandIns.SendGrid;
using Referrals.State;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The SendGrid Event Webhook and Notify callback endpoints over HTTP (the local loopback server, serving the Functions
/// app's endpoint classes): what is refused changes nothing, what is accepted reaches the sink once per event.
/// </summary>
public sealed class ReceiptsEndpointTests : IAsyncLifetime, IDisposable
{
    private const string Token = "local-test-callback-token-7f3a9c";
    private const string ReturnedLetterToken = "local-test-returned-letter-token-2b8e";
    private static readonly string Crime = "DB/26/000123";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RecordingSink _sink = new();
    private readonly CapturedLogs _logs = new();
    private readonly PipelineMetrics _metrics = new();
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _loggers;
    private LocalReceiptsServer _server = null!;

    public ReceiptsEndpointTests() => _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));

    public async Task InitializeAsync()
    {
        var options = Options.Create(new ReceiptOptions { SendGridWebhookPublicKey = SendGridTestSignature.PublicKeyOf(_key), NotifyCallbackBearerToken = Token, NotifyReturnedLetterBearerToken = ReturnedLetterToken });
        var factory = _loggers;
        _server = await new LocalReceiptsServer(
            new SendGridWebhookEndpoint(_sink, options, _metrics, TimeProvider.System, factory.CreateLogger<SendGridWebhookEndpoint>()),
            new NotifyCallbackEndpoint(_sink, options, _metrics, factory.CreateLogger<NotifyCallbackEndpoint>()),
            new NotifyReturnedLetterEndpoint(_sink, options, _metrics, factory.CreateLogger<NotifyReturnedLetterEndpoint>())).StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _metrics.Dispose();
        _loggers.Dispose();
        _key.Dispose();
    }

    private static string Event(string type, string id, string victim = "V1", string email = "jo.bloggs@example.org") =>
        $$"""{"email":"{{email}}","timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"event":"{{type}}","sg_event_id":"{{id}}","sg_message_id":"m.{{id}}","category":["entitlement-email"],"crimeReference":"{{Crime}}","victimId":"{{victim}}"}""";

    private static byte[] Batch(params string[] events) => Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]");

    private async Task<HttpResponseMessage> PostSendGridAsync(byte[] body, ECDsa? signWith = null, DateTimeOffset? at = null, bool sign = true, bool chunked = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.SendGridWebhookUrl))
        {
            Content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        if (sign)
        {
            var (signature, timestamp) = SendGridTestSignature.Sign(signWith ?? _key, body, at ?? DateTimeOffset.UtcNow);
            request.Headers.Add(SendGridSignature.SignatureHeader, signature);
            request.Headers.Add(SendGridSignature.TimestampHeader, timestamp);
        }

        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task A_signed_batch_is_acknowledged_and_each_event_reaches_the_sink_mapped()
    {
        var response = await PostSendGridAsync(Batch(Event("processed", "e0"), Event("delivered", "e1"), Event("bounce", "e2", victim: "V2"), Event("deferred", "e3", victim: "V3")));
        using var counts = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [("V1", ReceiptStatus.Deferred), ("V1", ReceiptStatus.Delivered), ("V2", ReceiptStatus.FailedForGood), ("V3", ReceiptStatus.Deferred)],
            _sink.Received.OrderBy(r => r.EventId, StringComparer.Ordinal).Select(r => (Victim(r), r.Status)));
        Assert.Equal(4, counts.RootElement.GetProperty("applied").GetInt32());
        Assert.Equal(0, counts.RootElement.GetProperty("ignored").GetInt32());
    }

    [Fact]
    public async Task A_forged_signature_gets_401_and_changes_nothing()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var response = await PostSendGridAsync(Batch(Event("bounce", "e1")), signWith: other);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_sink.Received);
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:unauthorized-forged"));
    }

    [Theory]
    [InlineData(-25 * 60 - 1)]
    [InlineData(-48 * 60)]
    [InlineData(6)]
    public async Task A_signature_more_than_25_hours_old_or_5_minutes_ahead_gets_401_and_changes_nothing(int minutes)
    {
        var response = await PostSendGridAsync(Batch(Event("bounce", "e1")), at: DateTimeOffset.UtcNow.AddMinutes(minutes));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_sink.Received);
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:unauthorized-stale"));
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(-60)]
    [InlineData(-24 * 60)]
    public async Task A_retried_batch_still_signed_with_its_first_timestamp_is_accepted_within_SendGrids_24_hours_of_retries(int minutes)
    {
        var response = await PostSendGridAsync(Batch(Event("bounce", "e1")), at: DateTimeOffset.UtcNow.AddMinutes(minutes));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_sink.Received);
    }

    [Fact]
    public async Task A_body_that_is_not_UTF_8_is_refused_as_forged_even_when_its_bytes_are_signed()
    {
        byte[] body = [.. Batch(Event("delivered", "e1"))[..^1], 0xC3, 0x28, (byte)']'];

        var response = await PostSendGridAsync(body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:unauthorized-forged"));
        Assert.Empty(_sink.Received);
    }

    [Fact]
    public async Task A_replayed_body_with_its_signature_but_a_new_timestamp_is_forged()
    {
        var body = Batch(Event("bounce", "e1"));
        var (signature, _) = SendGridTestSignature.Sign(_key, body, DateTimeOffset.UtcNow.AddMinutes(-10));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.SendGridWebhookUrl)) { Content = new ByteArrayContent(body) };
        request.Headers.Add(SendGridSignature.SignatureHeader, signature);
        request.Headers.Add(SendGridSignature.TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_sink.Received);
    }

    [Fact]
    public async Task An_unsigned_request_gets_401() =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostSendGridAsync(Batch(Event("delivered", "e1")), sign: false)).StatusCode);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_1_MiB_gets_400_and_changes_nothing_even_when_signed(bool chunked)
    {
        var padding = new string(' ', ReceiptLimits.MaxBodyBytes);
        var body = Encoding.UTF8.GetBytes("[" + Event("bounce", "e1") + padding + "]");

        // The endpoint stops reading at the limit; a client still sending may see the connection closed instead of the 400.
        var status = await StatusOrClosedAsync(() => PostSendGridAsync(body, chunked: chunked));

        Assert.Contains(status, new HttpStatusCode?[] { HttpStatusCode.BadRequest, null });
        Assert.Empty(_sink.Received);
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:too-large"));
    }

    [Theory]
    [InlineData("{\"event\":\"bounce\"}")]
    [InlineData("[{\"event\":\"bounce\",\"sg_event_id\":\"Jo Bloggs jo.bloggs@example.org\",\"timestamp\":\"07700900123\"}]")]
    [InlineData("jo.bloggs@example.org")]
    public async Task A_signed_body_that_is_not_SendGrids_shape_gets_400_changes_nothing_and_is_not_logged(string body)
    {
        var response = await PostSendGridAsync(Encoding.UTF8.GetBytes(body));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_sink.Received);
        Assert.Contains("Bad request", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("jo.bloggs", answer, StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, line => line.Contains("SendGrid webhook refused", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, line => line.Contains("jo.bloggs", StringComparison.Ordinal) || line.Contains("Bloggs", StringComparison.Ordinal) || line.Contains("0770", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Duplicates_in_a_batch_and_a_whole_batch_sent_again_apply_each_event_once()
    {
        var body = Batch(Event("delivered", "e1"), Event("delivered", "e1"), Event("bounce", "e2", victim: "V2"));

        var first = await PostSendGridAsync(body);
        var again = await PostSendGridAsync(body);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(["e1", "e2"], _sink.Applied.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, _metrics.Total("receipt:sendgrid:already-known"));
        Assert.Equal(2, _metrics.Total("receipt:sendgrid:duplicate"));
    }

    [Fact]
    public async Task Events_in_any_order_across_batches_give_the_same_receipts()
    {
        string[] events = [Event("deferred", "e1"), Event("delivered", "e2"), Event("bounce", "e3", victim: "V2"), Event("spamreport", "e4")];
        await PostSendGridAsync(Batch(events[3], events[1]));
        await PostSendGridAsync(Batch(events[2], events[0], events[3]));

        Assert.Equal(["e1", "e2", "e3", "e4"], _sink.Applied.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ReceiptStatus.SpamReported, _sink.Applied["e4"].Status);
    }

    [Fact]
    public async Task An_event_about_a_message_the_pipeline_did_not_send_is_acknowledged_and_counted()
    {
        var response = await PostSendGridAsync(Batch(Event("delivered", "e1", victim: "unknown-V9"), """{"email":"x@example.org","timestamp":1790000000,"event":"delivered","sg_event_id":"e2","category":"newsletter"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:unknown-message"));
        Assert.Equal(1, _metrics.Total("receipt:sendgrid:not-a-victim-message"));
        Assert.Empty(_sink.Applied);
    }

    [Fact]
    public void A_signature_made_here_verifies_with_SendGrids_own_library()
    {
        var body = Batch(Event("delivered", "e1"));
        var (signature, timestamp) = SendGridTestSignature.Sign(_key, body, DateTimeOffset.UtcNow);
        var validator = new global::SendGrid.Helpers.EventWebhook.RequestValidator();

        var publicKey = validator.ConvertPublicKeyToECDSA(SendGridTestSignature.PublicKeyOf(_key));

        Assert.True(validator.VerifySignature(publicKey, Encoding.UTF8.GetString(body), signature, timestamp));
        Assert.False(validator.VerifySignature(publicKey, Encoding.UTF8.GetString(body) + " ", signature, timestamp));
    }

    [Fact]
    public async Task The_SendGrid_stand_in_posts_signed_delivered_and_bounce_events_for_what_the_real_client_sends()
    {
        await using var sendGrid = await SendGridStandIn.StartAsync();
        var options = Options.Create(new ReceiptOptions { SendGridWebhookPublicKey = sendGrid.WebhookPublicKey });
        await using var server = await new LocalReceiptsServer(
            new SendGridWebhookEndpoint(_sink, options, _metrics, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SendGridWebhookEndpoint>.Instance),
            new NotifyCallbackEndpoint(_sink, options, _metrics, Microsoft.Extensions.Logging.Abstractions.NullLogger<NotifyCallbackEndpoint>.Instance)).StartAsync();
        sendGrid.PostEventsTo(server.SendGridWebhookUrl);
        var client = new SendGridClient(new SendGridClientOptions { ApiKey = "local", Host = sendGrid.Url });

        foreach (var (to, victim) in new[] { ("jo@example.org", "V1"), ("bounce.sam@example.org", "V2"), ("Bounce@example.org", "V3") })
        {
            var message = MailHelper.CreateSingleEmail(new EmailAddress("vcu@police.example"), new EmailAddress(to), "s", "t", null);
            message.AddCustomArg("crimeReference", Crime);
            message.AddCustomArg("victimId", victim);
            message.AddCategory(SendGridEvents.EntitlementCategory);
            Assert.Equal(HttpStatusCode.Accepted, (await client.SendEmailAsync(message)).StatusCode);
        }

        Assert.True(await sendGrid.FlushEventsAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((6, 0), sendGrid.Events);
        Assert.Equal(
            [("V1", ReceiptStatus.Delivered), ("V2", ReceiptStatus.FailedForGood), ("V3", ReceiptStatus.FailedForGood)],
            _sink.Applied.Values.Where(r => r.IsFinal).Select(r => (Victim(r), r.Status)).Order());

        // Each email's processed event reaches the sink as "SendGrid has it" (rulebook 1.2 section 6), not as noise.
        Assert.Equal(3, _sink.Applied.Values.Count(r => r.Status == ReceiptStatus.Deferred));
        Assert.Equal(0, _metrics.Total("receipt:sendgrid:not-a-status"));
    }

    [Fact]
    public async Task A_Notify_callback_with_the_token_reaches_the_sink()
    {
        using var notify = new NotifyCallbacks(_server.NotifyCallbackUrl, Token, maxRetries: 0);
        var id = Guid.NewGuid();

        var status = await notify.PostAsync(Callback(id, "permanent-failure"));

        Assert.Equal(200, status);
        var receipt = Assert.Single(_sink.Received);
        Assert.Equal((ReceiptProvider.Notify, Channel.Sms, "ref-1", ReceiptStatus.FailedForGood, id.ToString("D")), (receipt.Provider, receipt.Channel, receipt.Reference, receipt.Status, receipt.ProviderMessageId));
    }

    [Theory]
    [InlineData("local-test-callback-token-7f3a9")]
    [InlineData("local-test-callback-token-7f3a9c0")]
    [InlineData("something else")]
    public async Task A_Notify_callback_with_another_token_gets_401_and_changes_nothing(string token)
    {
        using var notify = new NotifyCallbacks(_server.NotifyCallbackUrl, token, maxRetries: 0);

        Assert.Equal(401, await notify.PostAsync(Callback(Guid.NewGuid(), "delivered")));
        Assert.Empty(_sink.Received);
    }

    [Fact]
    public async Task A_Notify_callback_without_a_token_gets_401()
    {
        var response = await _http.PostAsync(new Uri(_server.NotifyCallbackUrl), new ByteArrayContent(Callback(Guid.NewGuid(), "delivered").ToJson()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_sink.Received);
    }

    [Theory]
    [InlineData("{\"id\":\"Jo Bloggs\",\"to\":\"07700900123\"}")]
    [InlineData("[]")]
    [InlineData("")]
    public async Task A_Notify_body_that_is_not_Notifys_shape_gets_400_and_is_not_logged(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.NotifyCallbackUrl)) { Content = new StringContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_sink.Received);
        Assert.Contains(_logs.Lines, line => line.Contains("Notify callback refused", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, line => line.Contains("Bloggs", StringComparison.Ordinal) || line.Contains("0770", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_Notify_body_over_1_MiB_gets_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.NotifyCallbackUrl)) { Content = new ByteArrayContent(new byte[ReceiptLimits.MaxBodyBytes + 1]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        Assert.Contains(await StatusOrClosedAsync(() => _http.SendAsync(request)), new HttpStatusCode?[] { HttpStatusCode.BadRequest, null });
        Assert.Equal(1, _metrics.Total("receipt:notify:too-large"));
    }

    [Fact]
    public async Task A_Notify_callback_sent_again_is_already_known_and_one_without_a_reference_is_counted()
    {
        using var notify = new NotifyCallbacks(_server.NotifyCallbackUrl, Token, maxRetries: 0);
        var callback = Callback(Guid.NewGuid(), "delivered");

        Assert.Equal(200, await notify.PostAsync(callback));
        Assert.Equal(200, await notify.PostAsync(callback));
        Assert.Equal(200, await notify.PostAsync(callback with { Reference = null }));

        Assert.Single(_sink.Applied);
        Assert.Equal(1, _metrics.Total("receipt:notify:already-known"));
        Assert.Equal(1, _metrics.Total("receipt:notify:unknown-message"));
    }

    [Fact]
    public async Task When_the_sink_cannot_record_the_answer_is_500_so_the_provider_sends_again_and_its_error_is_not_logged()
    {
        var options = Options.Create(new ReceiptOptions { SendGridWebhookPublicKey = SendGridTestSignature.PublicKeyOf(_key), NotifyCallbackBearerToken = Token });
        var failing = new FailingSink();
        await using var server = await new LocalReceiptsServer(
            new SendGridWebhookEndpoint(failing, options, _metrics, TimeProvider.System, _loggers.CreateLogger<SendGridWebhookEndpoint>()),
            new NotifyCallbackEndpoint(failing, options, _metrics, _loggers.CreateLogger<NotifyCallbackEndpoint>())).StartAsync();
        var body = Batch(Event("delivered", "e1"));
        var (signature, timestamp) = SendGridTestSignature.Sign(_key, body, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.SendGridWebhookUrl)) { Content = new ByteArrayContent(body) };
        request.Headers.Add(SendGridSignature.SignatureHeader, signature);
        request.Headers.Add(SendGridSignature.TimestampHeader, timestamp);
        using var notify = new NotifyCallbacks(server.NotifyCallbackUrl, Token, maxRetries: 0);

        Assert.Equal(HttpStatusCode.InternalServerError, (await _http.SendAsync(request)).StatusCode);
        Assert.Equal(500, await notify.PostAsync(Callback(Guid.NewGuid(), "delivered")));
        Assert.Contains(_logs.Lines, line => line.Contains("not applied (IOException)", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, line => line.Contains("Jo Bloggs", StringComparison.Ordinal));
    }

    private static byte[] ReturnedLetter(Guid id, string? reference) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["notification_id"] = id.ToString("D"),
        ["reference"] = reference,
        ["date_sent"] = "2026-10-05T09:00:00.000000Z",
        ["sent_by"] = "API",
        ["template_name"] = "Letter",
        ["template_id"] = Guid.NewGuid().ToString("D"),
        ["template_version"] = 1,
        ["spreadsheet_file_name"] = null,
        ["spreadsheet_row_number"] = null,
        ["upload_letter_file_name"] = null,
    }));

    private async Task<HttpStatusCode> PostReturnedLetterAsync(byte[] body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.NotifyReturnedLetterUrl)) { Content = new ByteArrayContent(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_returned_letter_callback_with_its_own_token_reaches_the_sink_as_a_letter_failed_for_good()
    {
        var id = Guid.NewGuid();

        Assert.Equal(HttpStatusCode.OK, await PostReturnedLetterAsync(ReturnedLetter(id, "ref-7"), ReturnedLetterToken));

        var receipt = Assert.Single(_sink.Received);
        Assert.Equal((ReceiptProvider.Notify, Channel.Letter, "ref-7", ReceiptStatus.FailedForGood, id.ToString("D"), $"{id:D}:returned-letter"),
            (receipt.Provider, receipt.Channel, receipt.Reference, receipt.Status, receipt.ProviderMessageId, receipt.EventId));
        Assert.Equal(1, _metrics.Total("receipt:notify-returned-letter:applied"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Token)]
    [InlineData("local-test-returned-letter-token-2b8")]
    public async Task A_returned_letter_callback_without_its_own_token_gets_401_and_changes_nothing(string? token)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await PostReturnedLetterAsync(ReturnedLetter(Guid.NewGuid(), "ref-7"), token));
        Assert.Empty(_sink.Received);
    }

    [Theory]
    [InlineData("{\"notification_id\":\"Jo Bloggs\",\"reference\":\"ref-7\",\"date_sent\":\"2026-10-05T09:00:00.000000Z\"}")]
    [InlineData("{\"notification_id\":\"2c3e5a7b-1d2f-4a6b-8c9d-0e1f2a3b4c5d\",\"reference\":7,\"date_sent\":\"2026-10-05T09:00:00.000000Z\"}")]
    [InlineData("[]")]
    public async Task A_returned_letter_body_that_is_not_Notifys_shape_gets_400_and_changes_nothing(string body)
    {
        Assert.Equal(HttpStatusCode.BadRequest, await PostReturnedLetterAsync(Encoding.UTF8.GetBytes(body), ReturnedLetterToken));
        Assert.Empty(_sink.Received);
        Assert.DoesNotContain(_logs.Lines, line => line.Contains("Jo Bloggs", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, line => line.Contains("returned-letter callback refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_returned_letter_without_a_reference_is_acknowledged_and_counted_as_not_ours()
    {
        Assert.Equal(HttpStatusCode.OK, await PostReturnedLetterAsync(ReturnedLetter(Guid.NewGuid(), null), ReturnedLetterToken));
        Assert.Empty(_sink.Received);
        Assert.Equal(1, _metrics.Total("receipt:notify-returned-letter:unknown-message"));
    }

    [Fact]
    public async Task Only_POST_is_served_and_only_at_the_two_paths()
    {
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.GetAsync(new Uri(_server.SendGridWebhookUrl))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync(new Uri($"{_server.Url}/api/webhooks/other"), new StringContent("[]"))).StatusCode);
    }

    private static async Task<HttpStatusCode?> StatusOrClosedAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static NotifyCallback Callback(Guid id, string status) => new(
        id, "ref-1", "07700900123", status, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(-50), "sms", Guid.NewGuid(), 1);

    private static string Victim(Receipt receipt) =>
        MessageReference.TryParseEmail(receipt.Reference, out _, out var victim) ? victim : throw new InvalidOperationException("not an email reference");

    private sealed class FailingSink : IReceiptSink
    {
        public Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken) => throw new IOException("storage unreachable for Jo Bloggs");
    }

    /// <summary>Applies each event id once; a reference whose victim starts "unknown" is a message the pipeline did not send.</summary>
    private sealed class RecordingSink : IReceiptSink
    {
        public ConcurrentQueue<Receipt> Received { get; } = new();

        public ConcurrentDictionary<string, Receipt> Applied { get; } = new(StringComparer.Ordinal);

        public Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken)
        {
            Received.Enqueue(receipt);
            if (receipt.Reference.Contains("|unknown", StringComparison.Ordinal))
            {
                return Task.FromResult(ReceiptEffect.UnknownMessage);
            }

            return Task.FromResult(Applied.TryAdd(receipt.EventId, receipt) ? ReceiptEffect.Applied : ReceiptEffect.AlreadyKnown);
        }
    }
}
