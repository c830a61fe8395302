using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;
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

    private SendGridGateway Gateway(int maxAttempts = 4) => new(new HttpClient(), Options.Create(new SendGridOptions
    {
        ApiKey = "test-key",
        Host = _sendGrid.Url,
        FromAddress = "vcu@police.example",
        MaxAttempts = maxAttempts,
        MaxRetryDelay = TimeSpan.FromSeconds(20),
    }), _time, NullLogger<SendGridGateway>.Instance);

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

    [Fact]
    public async Task A_Retry_After_longer_than_the_cap_waits_only_the_cap()
    {
        Answer(r => r.WithStatusCode(429).WithHeader("Retry-After", "3600"), r => r.WithStatusCode(202));

        await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(20)], _time.Delays);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_backoff_then_reported_as_transient()
    {
        Answer(r => r.WithStatusCode(503), r => r.WithStatusCode(500), r => r.WithStatusCode(502), r => r.WithStatusCode(504));

        var outcome = await Gateway().SendAsync(Email, CancellationToken.None);

        Assert.IsType<SendOutcome.Transient>(outcome);
        Assert.Equal(4, _sendGrid.LogEntries.Count);
        Assert.Equal(3, _time.Delays.Count);
        Assert.True(_time.Delays[0] < _time.Delays[1] && _time.Delays[1] < _time.Delays[2]);
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
