using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Notify.Client;
using Notify.Exceptions;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.LocalHost;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Notify;
using Referrals.Rules;
using Referrals.StandIns.Notify;
using Referrals.State;
using Referrals.Tests.Situations;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The GOV.UK Notify gateway over HTTP: against the local stand-in (which GOV.UK Notify's own .NET client proves checks
/// requests as Notify does), and against WireMock for what is retried, how long it waits, and what is final.
/// </summary>
public sealed class NotifyGatewayTests : IAsyncDisposable
{
    private static readonly NotifyMessageComposer Composer = new(
        new TextMessageComposer(MessageTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), ForceIdentity.Example),
        new LetterComposer(MessageTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), ForceIdentity.Example));

    private static readonly NotifyMessage Sms = Composed(Channel.Sms);
    private static readonly NotifyMessage Letter = Composed(Channel.Letter);

    /// <summary>The force's real wording for a situation of the samples, as the Notify step composes it.</summary>
    private static NotifyMessage Composed(Channel channel, string situation = "victim-autoreferred-standard")
    {
        var s = MessageSituations.All.Single(m => m.Name == situation);
        return Composer.Compose(channel, s.Snapshot, s.Victim, s.Decision, Enum.GetValues<NotifyTemplateKind>().ToHashSet())!;
    }

    private readonly WireMockServer _notify = WireMockServer.Start();
    private readonly RecordingTime _time = new();
    private NotifyStandIn? _standIn;

    public async ValueTask DisposeAsync()
    {
        _notify.Dispose();
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }
    }

    private static NotifyOptions GatewayOptions(string baseUrl = "http://localhost", string apiKey = LocalNotify.ApiKey) => new()
    {
        ApiKey = apiKey,
        BaseUrl = baseUrl,
        SmsTemplateId = LocalNotify.SmsTemplateId,
        LetterTemplateId = LocalNotify.LetterTemplateId,
        WelshSmsTemplateId = LocalNotify.WelshSmsTemplateId,
        BilingualLetterTemplateId = LocalNotify.BilingualLetterTemplateId,
        MaxAttempts = 3,
        MaxRetryDelay = TimeSpan.FromSeconds(10),
    };

    private NotifyGateway Gateway(string baseUrl, string apiKey = LocalNotify.ApiKey)
    {
        var options = GatewayOptions(baseUrl, apiKey);
        return new(OutboundHttp.ClientFor<NotifyGateway>(notify: options), Options.Create(options), _time, NullLogger<NotifyGateway>.Instance);
    }

    private NotifyStandIn StandIn(TimeProvider? time = null) => _standIn = Task.Run(() => LocalNotify.StartAsync(null, LocalNotify.Timings.Tests, time ?? _time)).GetAwaiter().GetResult();

    private void Answer(params Func<IResponseBuilder, IResponseBuilder>[] answers)
    {
        for (var i = 0; i < answers.Length; i++)
        {
            var call = _notify.Given(Request.Create().WithPath("/v2/notifications/sms").UsingPost()).InScenario("calls");
            call = i == 0 ? call : call.WhenStateIs($"{i}");
            call.WillSetStateTo($"{i + 1}").RespondWith(answers[i](Response.Create()));
        }
    }

    [Fact]
    public void GOV_UK_Notifys_own_client_is_accepted_by_the_stand_in_and_refused_as_Notify_refuses()
    {
        var standIn = StandIn(TimeProvider.System);
        var client = new NotificationClient(standIn.Url, LocalNotify.ApiKey);

        var sms = client.SendSms("07700 900123", LocalNotify.SmsTemplateId, Sms.Personalisation.ToDictionary(p => p.Key, p => (dynamic)p.Value), "ref-1");
        var letter = client.SendLetter(LocalNotify.LetterTemplateId, Letter.Personalisation.ToDictionary(p => p.Key, p => (dynamic)p.Value), "ref-2");

        Assert.Equal("ref-1", sms.reference);
        Assert.Contains(MessageSituations.LongReference, sms.content.body, StringComparison.Ordinal);
        Assert.Equal("ref-2", letter.reference);
        var notAMobile = Assert.Throws<NotifyClientException>(() => client.SendSms("01629 123456", LocalNotify.SmsTemplateId, Sms.Personalisation.ToDictionary(p => p.Key, p => (dynamic)p.Value)));
        Assert.Contains("Not a UK mobile number", notAMobile.Message, StringComparison.Ordinal);
        var wrongKey = new NotificationClient(standIn.Url, "other_key-" + LocalNotify.ServiceId + "-00000000-0000-4000-8000-000000000000");
        Assert.Contains("403", Assert.Throws<NotifyClientException>(() => wrongKey.SendSms("07700 900123", LocalNotify.SmsTemplateId, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_message_and_a_letter_are_accepted_with_Notifys_id_and_only_the_templates_fields()
    {
        var standIn = StandIn();
        var gateway = Gateway(standIn.Url);

        var sms = await gateway.SendAsync(Sms, "rf1.abc.s1", CancellationToken.None);
        var letter = await gateway.SendAsync(Letter, "rf1.abc.l1", CancellationToken.None);

        Assert.Equal(standIn.Accepted.Select(n => (SendOutcome)new SendOutcome.Accepted(n.Id)), [sms, letter]);
        Assert.Equal(["rf1.abc.s1", "rf1.abc.l1"], standIn.Accepted.Select(n => n.Reference));
        var body = NotifyGateway.Body(Sms, "r", GatewayOptions());
        Assert.Equal(["template_id", "personalisation", "reference", "phone_number"], body.Select(p => p.Key));
    }

    [Fact]
    public async Task A_Welsh_text_and_a_bilingual_letter_go_with_their_own_templates_and_read_in_Welsh_first()
    {
        var standIn = StandIn();
        var gateway = Gateway(standIn.Url);
        var text = Composed(Channel.Sms, "cy-victim-autoreferred-standard");
        var letter = Composed(Channel.Letter, "cy-victim-autoreferred-standard");

        Assert.IsType<SendOutcome.Accepted>(await gateway.SendAsync(text, "rf1.abc.s1", CancellationToken.None));
        Assert.IsType<SendOutcome.Accepted>(await gateway.SendAsync(letter, "rf1.abc.l1", CancellationToken.None));

        Assert.Equal(LocalNotify.WelshSmsTemplateId, NotifyGateway.Body(text, "r", GatewayOptions())["template_id"]!.GetValue<string>());
        Assert.Equal(LocalNotify.BilingualLetterTemplateId, NotifyGateway.Body(letter, "r", GatewayOptions())["template_id"]!.GetValue<string>());
        Assert.Equal([201, 201], standIn.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_letter_missing_a_placeholder_of_the_templates_Welsh_half_is_refused_as_Notify_refuses_it()
    {
        var letter = Composed(Channel.Letter, "cy-victim-autoreferred-standard");
        var withoutWelshName = letter with { Personalisation = letter.Personalisation.Where(p => p.Key != "force_name_cy").ToDictionary() };

        var outcome = Assert.IsType<SendOutcome.Permanent>(await Gateway(StandIn().Url).SendAsync(withoutWelshName, "r", CancellationToken.None));

        Assert.Contains("Missing personalisation: force_name_cy", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_Notify_does_not_know_is_refused_for_good_with_Notifys_reason()
    {
        var gateway = Gateway(StandIn().Url, "other_key-" + LocalNotify.ServiceId + "-00000000-0000-4000-8000-000000000000");

        var outcome = Assert.IsType<SendOutcome.Permanent>(await gateway.SendAsync(Sms, "r", CancellationToken.None));

        // app/authentication/auth.py line 170: a token signed with no key of the service.
        Assert.Equal("Notify refused the message: 403 AuthError: Invalid token: API key not found", outcome.Reason);
    }

    [Fact]
    public async Task A_phone_Notify_cannot_text_is_refused_for_good_with_Notifys_reason()
    {
        var outcome = await Gateway(StandIn().Url).SendAsync(Sms with { PhoneNumber = "01629 123456" }, "r", CancellationToken.None);

        // A landline passes Notify's schema (any number a service could text) and is refused by the service's permissions:
        // InvalidPhoneError with its legacy message (app/notifications/validators.py lines 180-200, app/v2/errors.py 100-109).
        Assert.Equal(new SendOutcome.Permanent("Notify refused the message: 400 InvalidPhoneError: Not a UK mobile number"), outcome);
    }

    [Fact]
    public async Task Rate_limiting_is_retried_after_Retry_After_as_Notify_refuses_it_before_storing_anything()
    {
        Answer(
            r => r.WithStatusCode(429).WithHeader("Retry-After", "3").WithBody("""{"status_code":429,"errors":[{"error":"RateLimitError","message":"Exceeded rate limit"}]}"""),
            r => r.WithStatusCode(201).WithBody("""{"id":"740E5834-3A29-46B4-9A6F-16142FDE533A","reference":"r"}"""));

        var outcome = await Gateway(_notify.Url!).SendAsync(Sms, "r", CancellationToken.None);

        Assert.Equal(new SendOutcome.Accepted("740e5834-3a29-46b4-9a6f-16142fde533a"), outcome);
        Assert.Equal(2, _notify.LogEntries.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), _time.Delays[0]);
    }

    [Theory]
    [InlineData(NotifyFault.Status500)]
    [InlineData(NotifyFault.Status502)]
    [InlineData(NotifyFault.Status503)]
    [InlineData(NotifyFault.Status504)]
    [InlineData(NotifyFault.DropConnection)]
    [InlineData(NotifyFault.NoId)]
    public async Task An_answer_that_can_follow_acceptance_is_unknown_and_the_message_is_never_sent_again(NotifyFault fault)
    {
        var standIn = StandIn();
        await using var proxy = await MisbehavingNotify.StartAsync(standIn.Url);
        proxy.Fault = _ => fault;

        var outcome = Assert.IsType<SendOutcome.Unknown>(await Gateway(proxy.Url).SendAsync(Sms, "rf1.abc.s1", CancellationToken.None));

        Assert.EndsWith("so it may have accepted the message", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(fault == NotifyFault.DropConnection, outcome.Reason.Contains("ended without an answer", StringComparison.Ordinal));
        Assert.Equal(("/v2/notifications/sms", "rf1.abc.s1", 201, fault), Assert.Single(proxy.Requests));
        Assert.Single(standIn.Accepted);
    }

    [Fact]
    public async Task A_2xx_whose_id_is_not_a_Notify_notification_id_is_unknown()
    {
        Answer(r => r.WithStatusCode(201).WithBody("""{"id":"n-1","reference":"r"}"""), r => r.WithStatusCode(201).WithBody("""{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}"""));

        var outcome = await Gateway(_notify.Url!).SendAsync(Sms, "r", CancellationToken.None);

        Assert.Equal(new SendOutcome.Unknown("Notify answered 201 without a notification id, so it may have accepted the message"), outcome);
        Assert.Single(_notify.LogEntries);
    }

    [Fact]
    public async Task A_connection_that_cannot_be_made_sent_nothing_and_is_retried()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var outcome = Assert.IsType<SendOutcome.Transient>(await Gateway($"http://127.0.0.1:{port}").SendAsync(Sms, "r", CancellationToken.None));

        Assert.Equal("Notify could not be reached (ConnectionError): nothing was sent", outcome.Reason);
        Assert.Equal(2, _time.Delays.Count(d => d > TimeSpan.Zero));
    }

    [Fact]
    public async Task Rate_limiting_past_the_attempts_goes_back_to_the_queue_and_a_redirect_is_never_followed()
    {
        Answer(r => r.WithStatusCode(429), r => r.WithStatusCode(429), r => r.WithStatusCode(429));
        Assert.IsType<SendOutcome.Transient>(await Gateway(_notify.Url!).SendAsync(Sms, "r", CancellationToken.None));

        _notify.Reset();
        Answer(r => r.WithStatusCode(302).WithHeader("Location", "https://elsewhere.example/"));
        Assert.IsType<SendOutcome.Permanent>(await Gateway(_notify.Url!).SendAsync(Sms, "r", CancellationToken.None));
        Assert.Single(_notify.LogEntries);
    }

    [Fact]
    public void The_token_is_an_HS256_JWT_issued_by_the_service_id()
    {
        var token = NotifyToken.Create(LocalNotify.ApiKey, _time.GetUtcNow()).Split('.');
        using var claims = JsonDocument.Parse(Convert.FromBase64String(token[1].Replace('-', '+').Replace('_', '/').PadRight((token[1].Length + 3) / 4 * 4, '=')));

        Assert.Equal(LocalNotify.ServiceId, claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        Assert.Equal((LocalNotify.ServiceId, LocalNotify.Secret), NotifyToken.Parts(LocalNotify.ApiKey));
    }
}
