using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Forwarding;
using Referrals.Rules;
using Referrals.State;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Referrals.Pipeline.Tests;

/// <summary>The services' API client against an API faked over HTTP: authentication, idempotency, what is retried and what is final.</summary>
public sealed class ServiceGatewayTests : IDisposable
{
    private static readonly ReferralDocument Document = ReferralDocument.Withdrawal("DB/26/1", "V1", "general");
    private readonly WireMockServer _api = WireMockServer.Start();
    private readonly RecordingTime _time = new();
    private readonly List<string> _scopes = [];

    public void Dispose() => _api.Dispose();

    private ReferralChannel ApiKeyChannel => new()
    {
        Channel = ReferralChannel.Http,
        Endpoint = $"{_api.Url}/v1/referrals",
        Auth = new ReferralAuth { ApiKeyHeader = "X-Api-Key", ApiKeySetting = "ServiceKeys__general" },
    };

    private ServiceGateway Gateway(ReferralChannel channel, string? apiKey = "secret-key", TimeSpan? timeout = null)
    {
        var directory = new ServiceDirectory(
            [ServiceDirectory.LoadDefault()["general"] with { Referral = channel }],
            new VictimCareUnit { Name = "VCU", Referral = new ReferralChannel { Channel = ReferralChannel.Email, Address = "vcu@police.example" } });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceKeys:general"] = apiKey }).Build();
        var credentials = new ServiceCredentials(directory, configuration, new RecordingCredential(_scopes));
        var options = new ForwardingOptions { MaxAttempts = 3, MaxRetryDelay = TimeSpan.FromSeconds(10), Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        return new ServiceGateway(OutboundHttp.ClientFor<ServiceGateway>(forwarding: options), credentials, Options.Create(options), _time, NullLogger<ServiceGateway>.Instance);
    }

    private void Answer(params int[] statuses)
    {
        for (var i = 0; i < statuses.Length; i++)
        {
            var call = _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost()).InScenario("calls");
            call = i == 0 ? call : call.WhenStateIs($"{i}");
            var response = Response.Create().WithStatusCode(statuses[i]).WithBody("""{"error":"test"}""");
            call.WillSetStateTo($"{i + 1}").RespondWith(statuses[i] == 429 ? response.WithHeader("Retry-After", "7") : response);
        }
    }

    [Fact]
    public async Task A_referral_is_posted_as_JSON_with_its_id_as_Idempotency_Key_and_the_API_key()
    {
        Answer(201);

        var outcome = await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None);

        Assert.Equal(new SendOutcome.Accepted(null, 201), outcome);
        var request = Assert.Single(_api.LogEntries).RequestMessage;
        Assert.Equal("wd:DB/26/1:V1:general", request.Headers!["Idempotency-Key"].Single());
        Assert.Equal("secret-key", request.Headers["X-Api-Key"].Single());
        Assert.StartsWith("application/json", request.Headers["Content-Type"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_Entra_protected_API_gets_a_bearer_token_for_its_scope()
    {
        Answer(202);
        var channel = ApiKeyChannel with { Auth = new ReferralAuth { EntraScope = "api://general/.default" } };

        await Gateway(channel).PostAsync(channel, Document, CancellationToken.None);

        Assert.Equal("Bearer token-for-api://general/.default", _api.LogEntries.Single().RequestMessage.Headers!["Authorization"].Single());
        Assert.Equal(["api://general/.default"], _scopes);
    }

    [Fact]
    public async Task Conflict_means_the_service_already_has_it_so_it_counts_as_delivered_without_retrying()
    {
        Answer(409);
        Assert.Equal(new SendOutcome.Accepted(null, 409), await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));
        Assert.Single(_api.LogEntries);
    }

    [Fact]
    public async Task Too_many_requests_waits_as_long_as_Retry_After_asks_then_delivers()
    {
        Answer(429, 201);
        Assert.Equal(new SendOutcome.Accepted(null, 201), await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));
        Assert.Equal([TimeSpan.FromSeconds(7)], _time.Delays);
    }

    [Fact]
    public async Task A_service_unavailable_on_every_attempt_is_transient_for_the_queue_to_retry_later()
    {
        Answer(503, 503, 503, 201);
        Assert.IsType<SendOutcome.Transient>(await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));
        Assert.Equal(3, _api.LogEntries.Count);
    }

    [Fact]
    public async Task A_bad_request_is_permanent_and_not_retried()
    {
        Answer(400, 201);
        var outcome = Assert.IsType<SendOutcome.Permanent>(await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));
        Assert.Equal(400, outcome.Status);
        Assert.Single(_api.LogEntries);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_not_followed_so_neither_the_key_nor_the_referral_reaches_the_other_host(int status)
    {
        using var elsewhere = WireMockServer.Start();
        elsewhere.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(201));
        _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Location", $"{elsewhere.Url}/collect"));

        var outcome = Assert.IsType<SendOutcome.Permanent>(await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));

        Assert.Equal(($"general answered with a redirect ({status}); redirects are not followed, so nothing was sent elsewhere", status), (outcome.Reason, outcome.Status));
        Assert.Empty(elsewhere.LogEntries);
        Assert.Single(_api.LogEntries);
    }

    [Theory]
    [InlineData("3600")]
    [InlineData("Fri, 31 Dec 2100 23:59:59 GMT")]
    public async Task A_Retry_After_beyond_the_cap_is_not_waited_for_and_the_queue_tries_again_later(string retryAfter)
    {
        _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", retryAfter));

        var outcome = Assert.IsType<SendOutcome.Transient>(await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));

        Assert.Contains("longer than Forwarding__MaxRetryDelay", outcome.Reason, StringComparison.Ordinal);
        Assert.Single(_api.LogEntries);
        Assert.Empty(_time.Delays);
    }

    [Fact]
    public async Task A_Retry_After_date_in_the_past_retries_with_a_delay_within_the_cap()
    {
        _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost()).InScenario("past")
            .WillSetStateTo("again").RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "Mon, 01 Jan 2001 00:00:00 GMT"));
        _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost()).InScenario("past")
            .WhenStateIs("again").RespondWith(Response.Create().WithStatusCode(201));

        Assert.IsType<SendOutcome.Accepted>(await Gateway(ApiKeyChannel).PostAsync(ApiKeyChannel, Document, CancellationToken.None));
        Assert.InRange(Assert.Single(_time.Delays), TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_timeout_is_retried_because_the_Idempotency_Key_makes_a_repeat_safe()
    {
        // The first call is taken and stalls past the client's timeout; the repeat finds the delivery already there.
        var calls = 0;
        _api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/referrals").UsingPost())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(3));
                    return new WireMock.ResponseMessage { StatusCode = 201 };
                }

                return new WireMock.ResponseMessage { StatusCode = 409 };
            }));

        var outcome = await Gateway(ApiKeyChannel, timeout: TimeSpan.FromSeconds(1)).PostAsync(ApiKeyChannel, Document, CancellationToken.None);

        Assert.Equal(new SendOutcome.Accepted(null, 409), outcome);
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public void A_missing_API_key_stops_start_up_naming_the_service_and_the_setting() =>
        Assert.Contains("service 'general' authenticates with the API key in app setting 'ServiceKeys__general', which is not set",
            Assert.Throws<InvalidOperationException>(() => Gateway(ApiKeyChannel, apiKey: null)).Message, StringComparison.Ordinal);

    private sealed class RecordingCredential(List<string> scopes) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            scopes.AddRange(requestContext.Scopes);
            return new AccessToken($"token-for-{requestContext.Scopes[0]}", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
