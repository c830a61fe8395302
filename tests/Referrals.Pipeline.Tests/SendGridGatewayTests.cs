using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.SendGrid;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Referrals.Pipeline.Tests;

/// <summary>The SendGrid gateway against SendGrid faked over HTTP: what is retried, how long it waits, what is final.</summary>
public sealed class SendGridGatewayTests : IDisposable
{
    private static readonly EntitlementEmail Email = new("DB/26/1", 1, "V1", "victim@example.org", "Subject", "text", "<p>html</p>", "en");
    private readonly WireMockServer _sendGrid = WireMockServer.Start();
    private readonly RecordingTime _time = new();

    public void Dispose() => _sendGrid.Dispose();

    private SendGridGateway Gateway(int maxAttempts = 4, TimeSpan? timeout = null)
    {
        var options = new SendGridOptions
        {
            ApiKey = "test-key",
            Host = _sendGrid.Url,
            FromAddress = "vcu@police.example",
            MaxAttempts = maxAttempts,
            MaxRetryDelay = TimeSpan.FromSeconds(20),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        return new(OutboundHttp.ClientFor<SendGridGateway>(sendGrid: options), Options.Create(options), _time, NullLogger<SendGridGateway>.Instance);
    }

    private void Answer(params Func<IResponseBuilder, IResponseBuilder>[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            var call = _sendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost()).InScenario("calls");
            call = i == 0 ? call : call.WhenStateIs($"{i}");
            call.WillSetStateTo($"{i + 1}").RespondWith(answers[i](Response.Create()));
        }
    }

    [Fact]
    public async Task An_entitlement_email_tells_SendGrid_its_language()
    {
        Answer(r => r.WithStatusCode(202));

        await Gateway().SendAsync(Email with { Language = "cy", SecondLanguage = "en" }, CancellationToken.None);

        using var body = System.Text.Json.JsonDocument.Parse(Assert.Single(_sendGrid.LogEntries).RequestMessage.Body!);
        Assert.Equal("cy, en", body.RootElement.GetProperty("headers").GetProperty("Content-Language").GetString());
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_Retry_After_delay()
    {
        Answer(r => r.WithStatusCode(429).WithHeader("Retry-After", "7"), r => r.WithStatusCode(202).WithHeader("X-Message-Id", "abc"));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.Equal(new SendOutcome.Accepted("abc"), outcome);
        Assert.Equal([TimeSpan.FromSeconds(7)], _time.Delays);
    }

    [Fact]
    public async Task Throttling_without_Retry_After_honours_X_RateLimit_Reset()
    {
        var reset = _time.GetUtcNow().AddSeconds(12).ToUnixTimeSeconds();
        Answer(r => r.WithStatusCode(429).WithHeader("X-RateLimit-Reset", $"{reset}"), r => r.WithStatusCode(202));

        Assert.IsType<SendOutcome.Accepted>(await Gateway().SendAsync(Email, CancellationToken.None));
        Assert.Equal([TimeSpan.FromSeconds(12)], _time.Delays);
    }

    [Theory]
    [InlineData("Retry-After", "3600")]
    [InlineData("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT")]
    [InlineData("X-RateLimit-Reset", "4102444800")]
    [InlineData("X-RateLimit-Reset", "99999999999999")]
    public async Task A_wait_longer_than_the_cap_is_not_taken_and_the_email_goes_back_unsent(string header, string value)
    {
        Answer(r => r.WithStatusCode(429).WithHeader(header, value), r => r.WithStatusCode(202));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.Contains("longer than SendGrid__MaxRetryDelay", Assert.IsType<SendOutcome.Transient>(outcome).Reason, StringComparison.Ordinal);
        Assert.Single(_sendGrid.LogEntries);
        Assert.Empty(_time.Delays);
    }

    [Theory]
    [InlineData("X-RateLimit-Reset", "1")]
    [InlineData("X-RateLimit-Reset", "-99999999999999")]
    [InlineData("X-RateLimit-Reset", "soon")]
    [InlineData("Retry-After", "Mon, 01 Jan 2001 00:00:00 GMT")]
    [InlineData("Retry-After", "-5")]
    public async Task A_reset_time_in_the_past_or_unreadable_retries_within_the_cap(string header, string value)
    {
        Answer(r => r.WithStatusCode(429).WithHeader(header, value), r => r.WithStatusCode(202));

        Assert.IsType<SendOutcome.Accepted>(await Gateway().SendAsync(Email, CancellationToken.None));
        Assert.Equal(2, _sendGrid.LogEntries.Count);
        Assert.All(_time.Delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Service_unavailable_with_or_without_Retry_After_was_not_accepted_so_it_is_retried()
    {
        Answer(r => r.WithStatusCode(503), r => r.WithStatusCode(503).WithHeader("Retry-After", "2"), r => r.WithStatusCode(202));

        Assert.IsType<SendOutcome.Accepted>(await Gateway().SendAsync(Email, CancellationToken.None));
        Assert.Equal(3, _sendGrid.LogEntries.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), _time.Delays[^1]);
        Assert.All(_time.Delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Throttling_on_every_attempt_is_transient_for_the_queue_to_retry_later()
    {
        Answer(r => r.WithStatusCode(429), r => r.WithStatusCode(429), r => r.WithStatusCode(503), r => r.WithStatusCode(503));

        Assert.IsType<SendOutcome.Transient>(await Gateway().SendAsync(Email, CancellationToken.None));
        Assert.Equal(4, _sendGrid.LogEntries.Count);
        Assert.Equal(3, _time.Delays.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task A_server_error_may_mean_SendGrid_accepted_it_so_it_is_unknown_and_never_retried(int status)
    {
        Answer(r => r.WithStatusCode(status), r => r.WithStatusCode(202));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.Contains("may have accepted", Assert.IsType<SendOutcome.Unknown>(outcome).Reason, StringComparison.Ordinal);
        Assert.Single(_sendGrid.LogEntries);
    }

    [Fact]
    public async Task A_timeout_after_SendGrid_received_the_request_is_unknown_and_never_retried()
    {
        var received = 0;
        _sendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                Interlocked.Increment(ref received);
                return new WireMock.ResponseMessage { StatusCode = 202 };
            }).WithDelay(TimeSpan.FromSeconds(3)));

        var outcome = await Gateway(timeout: TimeSpan.FromSeconds(1)).SendAsync(Email, CancellationToken.None);

        Assert.Contains("may have accepted", Assert.IsType<SendOutcome.Unknown>(outcome).Reason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, Volatile.Read(ref received));
    }

    [Fact]
    public async Task A_connection_refused_sent_nothing_so_it_is_retried()
    {
        // A port bound but never listening refuses connections, and stays ours: a port merely freed could be taken by
        // a server of a test running in parallel, which would answer.
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)closed.LocalEndPoint!).Port}";
        var options = new SendGridOptions { ApiKey = "test-key", Host = url, FromAddress = "vcu@police.example", MaxAttempts = 2 };
        var gateway = new SendGridGateway(OutboundHttp.ClientFor<SendGridGateway>(sendGrid: options), Options.Create(options), _time, NullLogger<SendGridGateway>.Instance);

        Assert.Contains("nothing was sent", Assert.IsType<SendOutcome.Transient>(await gateway.SendAsync(Email, CancellationToken.None)).Reason, StringComparison.Ordinal);
        Assert.Single(_time.Delays);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_not_followed_and_fails_for_good(int status)
    {
        using var elsewhere = WireMockServer.Start();
        elsewhere.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(202));
        Answer(r => r.WithStatusCode(status).WithHeader("Location", $"{elsewhere.Url}/v3/mail/send"));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.Equal($"SendGrid answered with a redirect ({status}); redirects are not followed, so nothing was sent elsewhere", Assert.IsType<SendOutcome.Permanent>(outcome).Reason);
        Assert.Empty(elsewhere.LogEntries);
        Assert.Single(_sendGrid.LogEntries);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(413)]
    public async Task Other_client_errors_are_permanent_and_not_retried(int status)
    {
        Answer(r => r.WithStatusCode(status).WithBody("""{"errors":[{"message":"bad"}]}"""));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        var permanent = Assert.IsType<SendOutcome.Permanent>(outcome);
        Assert.Contains($"{status}", permanent.Reason, StringComparison.Ordinal);
        Assert.Single(_sendGrid.LogEntries);
    }

    [Fact]
    public async Task The_email_carries_ids_in_custom_args_and_no_tracking()
    {
        Answer(r => r.WithStatusCode(202));

        await Gateway().SendAsync(Email, CancellationToken.None);

        var body = _sendGrid.LogEntries.Single().RequestMessage.Body!;
        Assert.Contains("\"custom_args\":{\"crimeReference\":\"DB/26/1\",\"victimId\":\"V1\"}", body, StringComparison.Ordinal);
        Assert.Contains("\"categories\":[\"entitlement-email\"]", body, StringComparison.Ordinal);
        Assert.Contains("\"click_tracking\":{\"enable\":false", body, StringComparison.Ordinal);
        Assert.Equal("Bearer test-key", _sendGrid.LogEntries.Single().RequestMessage.Headers!["Authorization"].Single());
    }
}
