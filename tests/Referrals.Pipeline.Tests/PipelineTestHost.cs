using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.StandIns.Notify;
using Referrals.StandIns.SendGrid;
using Referrals.State;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMockResponse = WireMock.ResponseBuilders.Response;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The local WebJobs host on Azurite with queue and table names of its own, and SendGrid faked at the
/// HTTP level by WireMock so the real SendGrid client runs. Deletes its queues and tables when disposed.
/// </summary>
public sealed class PipelineTestHost : IAsyncDisposable
{
    private readonly string _connection;
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _traceLogs;
    private readonly TimeProvider? _time;
    private readonly bool _receiptsOn;
    private readonly SendGridStandIn? _sendGridEvents;
    private readonly HttpClient _forward = new();
    private LocalReceiptsServer? _receipts;
    private IHost? _host;

    /// <param name="services">The services' APIs' answer to a POST: (service id, that service's call number) → status. Default 201.</param>
    /// <param name="traceLogs">Capture every category at Trace, the host's and the SDKs' included, not just what the host lets through.</param>
    /// <param name="time">The pipeline's clock (the WebJobs host's own timers keep real time).</param>
    /// <param name="receipts">
    /// Receipts as the providers send them, over HTTP to the host's webhook endpoints: the Notify stand-in's callbacks
    /// (and the status timer for letters, which get none), and SendGrid's signed events from its stand-in for each email
    /// WireMock accepts (a recipient whose local part starts with "bounce" bounces).
    /// </param>
    /// <param name="receiptCopies">How many times each receipt is posted (providers resend).</param>
    /// <param name="unheard">By recipient: SendGrid's events about the email never reach the webhook (its activity feed has it).</param>
    /// <param name="connect">Rewrites Azurite's connection string for the host and the CLI (a proxy in front of the tables: <see cref="TableProxy"/>).</param>
    /// <summary>
    /// The operator CLI in this process reads its settings from the environment, as it does in Azure: the pipeline's own
    /// log-hash key, so it names and reads the sends' tokens as the pipeline seals them (issue 22).
    /// </summary>
    static PipelineTestHost() => Environment.SetEnvironmentVariable("LogRedaction__HashKey", LocalSettings.DevelopmentHashKey);

    public PipelineTestHost(AzuriteFixture azurite, Func<int, (int Status, string? RetryAfter)>? sendGrid = null, Func<string, int, int>? services = null, bool traceLogs = false, TimeProvider? time = null, bool receipts = false, int receiptCopies = 1, Func<string, string>? connect = null, bool notifyOnSameClock = false, Func<string, int?>? sendGridTo = null, Func<string, bool>? unheard = null)
    {
        _receiptsOn = receipts;
        Notify = Task.Run(() => LocalNotify.StartAsync(null, LocalNotify.Timings.Tests, notifyOnSameClock ? time : null, callbackCopies: receiptCopies)).GetAwaiter().GetResult();
        if (receipts)
        {
            _sendGridEvents = Task.Run(() => SendGridStandIn.StartAsync(new SendGridStandInOptions { EventCopies = receiptCopies, RetryDelay = TimeSpan.FromMilliseconds(50), Time = notifyOnSameClock && time is not null ? time : TimeProvider.System, Unheard = unheard ?? (_ => false) })).GetAwaiter().GetResult();
        }

        _traceLogs = traceLogs;
        _time = time;
        _connection = connect is null ? azurite.ConnectionString : connect(azurite.ConnectionString);
        var id = Guid.NewGuid().ToString("N")[..8];
        SendGrid = WireMockServer.Start();
        var calls = 0;
        SendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost())
            .RespondWith(WireMockResponse.Create().WithCallback(request =>
            {
                var (status, retryAfter) = (sendGrid ?? (_ => (202, null)))(Interlocked.Increment(ref calls));
                var to = JsonDocument.Parse(request.Body!).RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!;
                status = sendGridTo?.Invoke(to) ?? status;

                // TakenThen500: SendGrid took the email (its events follow) and the answer was a 500 all the same.
                var taken = status is >= 200 and < 300 or TakenThen500;
                status = status == TakenThen500 ? 500 : status;
                if (taken && _sendGridEvents is { } events && JsonDocument.Parse(request.Body!).RootElement is var mail
                    && mail.GetProperty("categories").EnumerateArray().Any(c => c.GetString() == "entitlement-email"))
                {
                    // The same email to SendGrid's stand-in, which posts its signed events to the host's webhook.
                    using var copy = new HttpRequestMessage(HttpMethod.Post, new Uri(events.Url + "/v3/mail/send")) { Content = new StringContent(request.Body!, Encoding.UTF8, "application/json") };
                    copy.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "test");
                    _forward.Send(copy).Dispose();
                }

                var headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["X-Message-Id"] = new($"msg-{calls}") };
                if (retryAfter is not null)
                {
                    headers["Retry-After"] = new(retryAfter);
                }

                return new WireMock.ResponseMessage
                {
                    StatusCode = status,
                    Headers = headers,
                    BodyData = new WireMock.Util.BodyData { BodyAsString = status >= 400 ? """{"errors":[{"message":"test error"}]}""" : "", DetectedBodyType = WireMock.Types.BodyType.String },
                };
            }));

        if (_sendGridEvents is { } activity)
        {
            // SendGrid's Email Activity API: its stand-in answers from the emails it took (those forwarded above).
            SendGrid.Given(Request.Create().WithPath("/v3/messages").UsingGet()).RespondWith(WireMockResponse.Create().WithProxy(activity.Url));
        }

        ServiceApis = WireMockServer.Start();
        var serviceCalls = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        ServiceApis.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/[a-z0-9-]+/referrals$")).UsingPost())
            .RespondWith(WireMockResponse.Create().WithCallback(request =>
            {
                var service = request.Path.Split('/')[1];
                var call = serviceCalls.AddOrUpdate(service, 1, (_, n) => n + 1);
                return new WireMock.ResponseMessage { StatusCode = (services ?? ((_, _) => 201))(service, call) };
            }));
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName), ServiceApis.Url!, Path.Combine(Path.GetTempPath(), $"referrals-test-{id}", "services.json"));

        _settings = LocalSettings.For(_connection, SendGrid.Url!, directory, tablePrefix: $"t{id}", queuePrefix: $"t{id}-");
        _settings["SendGrid:MaxRetryDelay"] = "00:00:00.200";
        _settings["Receipts:SendGridWebhookPublicKey"] = _sendGridEvents?.WebhookPublicKey ?? TestWebhooks.PublicKey;
        _settings["Receipts:NotifyCallbackBearerToken"] = TestWebhooks.CallbackToken;
        _settings["Receipts:NotifyReturnedLetterBearerToken"] = TestWebhooks.ReturnedLetterToken;
        _settings["SendGrid:MaxAttempts"] = "4";
        _settings["Forwarding:MaxAttempts"] = "2";
        _settings["Forwarding:MaxRetryDelay"] = "00:00:00.200";
        _settings["Notify:BaseUrl"] = Notify.Url;
        _settings["Notify:MaxRetryDelay"] = "00:00:00.200";
        if (receipts)
        {
            // Letters get no callback: the status timer settles them, asking as soon as it runs.
            _settings["Notify:StatusCheckAfter"] = "00:00:00";
        }
    }

    /// <summary>A SendGrid answer for <c>sendGridTo</c>: 500, after SendGrid took the email (its events follow).</summary>
    public const int TakenThen500 = 1500;

    /// <summary>The GOV.UK Notify stand-in (the real client code calls it over HTTP).</summary>
    public NotifyStandIn Notify { get; }

    /// <summary>The host's settings: change them before <see cref="StartAsync"/>.</summary>
    public IDictionary<string, string?> Settings => _settings;

    public WireMockServer SendGrid { get; }

    /// <summary>The Http-channel services' APIs (in the default directory: general at /general/referrals, idva at /idva/referrals).</summary>
    public WireMockServer ServiceApis { get; }

    public CapturedLogs Logs { get; } = new();

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The host is not running.");

    public PipelineOptions Options => Services.GetRequiredService<IOptions<PipelineOptions>>().Value;

    /// <summary>
    /// The wait before a failed message is tried again: host.json's 30 s made every test that redelivers a message
    /// wait 30 s for it; the count of tries (MaxDequeueCount) is what the tests check, and it is unchanged. Five tries
    /// now span 10 s rather than 150 s, less than a send's claim lease: a test of a claim outliving its sender sets the
    /// clock (SettableTime) rather than waiting.
    /// </summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    public async Task StartAsync()
    {
        _host = LocalPipelineHost.Build(_settings, configureServices: _time is null ? null : s => s.AddSingleton(_time), configureLogging: logging =>
        {
            logging.AddProvider(Logs);
            if (_traceLogs)
            {
                logging.AddFilter<CapturedLogs>(null, LogLevel.Trace);
            }
        }, retryDelay: RetryDelay);
        await _host.StartAsync();
        if (_receiptsOn)
        {
            _receipts = await new LocalReceiptsServer(Services.GetRequiredService<SendGridWebhookEndpoint>(), Services.GetRequiredService<NotifyCallbackEndpoint>(), Services.GetRequiredService<NotifyReturnedLetterEndpoint>()).StartAsync();
            Notify.SendCallbacksTo(_receipts.NotifyCallbackUrl, TestWebhooks.CallbackToken, _receipts.NotifyReturnedLetterUrl, TestWebhooks.ReturnedLetterToken);
            _sendGridEvents!.PostEventsTo(_receipts.SendGridWebhookUrl);
        }
    }

    public async Task StopAsync()
    {
        if (_receipts is not null)
        {
            await _receipts.DisposeAsync();
            _receipts = null;
        }

        if (_host is not null)
        {
            await LocalPipelineHost.DrainAndStopAsync(_host);
            _host.Dispose();
            _host = null;
        }
    }

    public QueueClient CrimeEvents => Services.GetRequiredService<StorageClients>().Queues.GetQueueClient(Options.CrimeEventsQueue);

    /// <summary>Sends text exactly as given, for messages that are not Base64 on purpose.</summary>
    public QueueClient CrimeEventsRaw => Services.GetRequiredService<StorageClients>().RawQueues.GetQueueClient(Options.CrimeEventsQueue);

    public async Task SendAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await CrimeEvents.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(line)));
        }
    }

    /// <summary>Messages waiting on the pipeline's queues, visible or not.</summary>
    public async Task<int> QueuedAsync()
    {
        var clients = Services.GetRequiredService<StorageClients>();
        var total = 0;
        foreach (var queue in Options.Queues)
        {
            total += (await clients.Queues.GetQueueClient(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return total;
    }

    public async Task WaitUntilIdleAsync(int seconds = 90)
    {
        Task<bool> Idle() => PipelineProbe.WaitUntilIdleAsync(Services.GetRequiredService<StorageClients>(), Options, TimeSpan.FromSeconds(seconds), CancellationToken.None);
        var idle = await Idle();
        if (idle && _receipts is not null)
        {
            idle = await LocalReceiptsSettle.UntilQuietAsync(_sendGridEvents, Notify, Idle, TimeSpan.FromSeconds(seconds));
            await Services.GetRequiredService<Notify.NotifyStatusSweep>().SweepAsync(CancellationToken.None);
            idle &= await LocalReceiptsSettle.UntilQuietAsync(_sendGridEvents, Notify, Idle, TimeSpan.FromSeconds(seconds));
        }

        if (!idle)
        {
            var states = string.Join("; ", (await VictimsAsync()).GroupBy(v => v.EmailStatus).Select(g => $"{g.Key}={g.Count()}"));
            Assert.Fail($"the pipeline did not finish within {seconds} seconds; emails: {states}; log: {string.Join("\n", Logs.Lines.Where(l => !l.StartsWith("Information", StringComparison.Ordinal)).TakeLast(20))}");
        }
    }

    /// <summary>
    /// Waits until every victim is stored and emailed, or until what is left is only hidden messages
    /// (fetched by a stopped host, invisible for the listener's lease): then returns what is still queued.
    /// </summary>
    public async Task<(List<VictimStateEntity> Victims, int CrimesQueued, int EmailsQueued)> WaitUntilSettledAsync(int expectedVictims)
    {
        var clients = Services.GetRequiredService<StorageClients>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var stablePolls = 0;
        var last = string.Empty;
        while (true)
        {
            var victims = await VictimsAsync();
            var crimes = (await clients.Queues.GetQueueClient(Options.CrimeEventsQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            var emails = (await clients.Queues.GetQueueClient(Options.MessageQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            var visible = (await clients.Queues.GetQueueClient(Options.CrimeEventsQueue).PeekMessagesAsync()).Value.Length
                + (await clients.Queues.GetQueueClient(Options.MessageQueue).PeekMessagesAsync()).Value.Length;
            var done = victims.Count == expectedVictims && victims.All(v => v.EmailStatus == MessageStatus.Sent) && crimes == 0 && emails == 0;
            var now = $"{victims.Count}/{victims.Count(v => v.EmailStatus == MessageStatus.Sent)}/{crimes}/{emails}";
            stablePolls = visible == 0 && now == last ? stablePolls + 1 : 0;
            last = now;
            if (done || stablePolls >= 15 || DateTime.UtcNow > deadline)
            {
                return (victims, crimes, emails);
            }

            await Task.Delay(500);
        }
    }

    public async Task<List<VictimStateEntity>> VictimsAsync() =>
        await Services.GetRequiredService<VictimStateStore>().AllVictimsAsync(CancellationToken.None).ToListAsync();

    public async Task<List<Forwarding.DeliveryEntity>> DeliveryRowsAsync() =>
        await Services.GetRequiredService<Forwarding.DeliveryStore>().AllAsync(CancellationToken.None).ToListAsync();

    /// <summary>Recounts the given months, as the timer does, and reads them back as the endpoint does.</summary>
    public async Task<Referrals.Tallies.TallyReport> TalliesAsync(params Referrals.Tallies.Month[] months)
    {
        await Services.GetRequiredService<Tallies.TallyAggregator>().AggregateAsync(months, CancellationToken.None);
        return await Services.GetRequiredService<Tallies.TallyStore>().ReadAsync(new Referrals.Tallies.MonthRange(months.Min(), months.Max()), CancellationToken.None);
    }

    public async Task<List<DeadLetterEntity>> DeadLettersAsync(DeadLetterKind kind) =>
        await Services.GetRequiredService<DeadLetterStore>().ListAsync(kind, CancellationToken.None).ToListAsync();

    /// <summary>The entitlement emails SendGrid accepted (2xx), as (crime reference, victim id, to).</summary>
    public List<(string Crime, string Victim, string To)> EmailsAccepted() =>
        [.. AcceptedMail("entitlement-email")
            .Select(mail => mail.GetProperty("personalizations")[0])
            .Select(to => (Send: LocalSettings.Tokens.TryOpen(to.GetProperty("custom_args").GetProperty("ref").GetString(), out var send) ? send : default, To: to))
            .Select(e => (e.Send.CrimeReference, e.Send.VictimId, e.To.GetProperty("to")[0].GetProperty("email").GetString()!))];

    /// <summary>What reached the services and the Victim Care Unit, accepted: (service or mailbox, delivery id) from the APIs and the secure emails.</summary>
    public List<(string Service, string Kind, string Id)> Deliveries() =>
        [.. ServiceApis.LogEntries
            .Where(e => e.ResponseMessage.StatusCode is int status && status is >= 200 and < 300)
            .Select(e => (e.RequestMessage.Path.Split('/')[1], JsonDocument.Parse(e.RequestMessage.Body!).RootElement))
            .Select(d => (d.Item1, d.Item2.GetProperty("kind").GetString()!, d.Item2.GetProperty("id").GetString()!)),
         .. AcceptedMail("service-referral")
            .Select(mail => (
                mail.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString()!,
                mail.GetProperty("content")[0].GetProperty("value").GetString()!))
            .Select(m => (m.Item1, Field(m.Item2, "Kind"), Field(m.Item2, "Id")))];

    private static string Field(string text, string label) =>
        text.Split("\r\n").First(l => l.StartsWith(label + ": ", StringComparison.Ordinal))[(label.Length + 2)..];

    public IEnumerable<JsonElement> AcceptedMail(string category) =>
        MailSends
            .Where(e => e.ResponseMessage.StatusCode is int status && status is >= 200 and < 300)
            .Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement)
            .Where(mail => mail.GetProperty("categories").EnumerateArray().Any(c => c.GetString() == category));

    public int SendGridCalls => MailSends.Count();

    /// <summary>Every call to SendGrid's Mail Send (its Email Activity API's look-ups left out).</summary>
    public IEnumerable<WireMock.Logging.ILogEntry> MailSends => SendGrid.LogEntries.Where(e => e.RequestMessage.Path == "/v3/mail/send");

    /// <summary>Calls to SendGrid for entitlement emails (secure emails to the Victim Care Unit and services left out).</summary>
    public int EntitlementEmailCalls => MailSends.Count(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement
        .GetProperty("categories").EnumerateArray().Any(c => c.GetString() == "entitlement-email"));

    /// <summary>
    /// Runs the real program (a child process) on this pipeline's storage, tables and queues, for a command that puts work
    /// on a queue (the queue names are settings: environment variables of that process only).
    /// </summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> ProcessCliAsync(params string[] args) =>
        CliProgram.RunAsync(new Dictionary<string, string?>
        {
            ["CRIME_EVENTS_QUEUE"] = Options.CrimeEventsQueue,
            ["MESSAGE_QUEUE"] = Options.MessageQueue,
            ["EMAIL_QUEUE"] = Options.OldEmailQueue,
            ["REFERRAL_QUEUE"] = Options.ReferralQueue,
            ["LogRedaction__HashKey"] = LocalSettings.DevelopmentHashKey,
        }, [.. args, "--storage", _connection, "--table-prefix", Options.TablePrefix]);

    /// <summary>Runs the operator CLI against this pipeline's storage, as an operator would: (exit code, output).</summary>
    public async Task<(int ExitCode, string Output)> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var exitCode = await Cli.CliApp.Create()
            .Parse([.. args, "--storage", _connection, "--table-prefix", Options.TablePrefix])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_host is not null)
            {
                var clients = Services.GetRequiredService<StorageClients>();
                var options = Options;
                await StopAsync();
                await clients.Tables.DeleteTableAsync(options.VictimStateTable);
                await clients.Tables.DeleteTableAsync(options.DeadLetterTable);
                await clients.Tables.DeleteTableAsync(options.TallyEventsTable);
                await clients.Tables.DeleteTableAsync(options.MonthlyTalliesTable);
                await clients.Tables.DeleteTableAsync(options.MonthIndexTable);
                foreach (var queue in options.Queues)
                {
                    await clients.Queues.GetQueueClient(queue).DeleteIfExistsAsync();
                    await clients.Queues.GetQueueClient(PipelineOptions.PoisonQueueOf(queue)).DeleteIfExistsAsync();
                }
            }
        }
        finally
        {
            SendGrid.Stop();
            SendGrid.Dispose();
            ServiceApis.Stop();
            ServiceApis.Dispose();
            await Notify.DisposeAsync();
            if (_sendGridEvents is not null)
            {
                await _sendGridEvents.DisposeAsync();
            }

            _forward.Dispose();
        }
    }
}
