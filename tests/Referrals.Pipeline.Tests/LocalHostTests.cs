using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Referrals.LocalHost;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>The local host's own plumbing, without storage.</summary>
public class LocalHostTests
{
    [Fact]
    public void Verbose_logging_writes_a_function_result_the_WebJobs_SDK_logs_without_a_message_instead_of_crashing_the_run()
    {
        using var error = new StringWriter();
        using var provider = new StandardErrorLoggerProvider(error);
        var logger = provider.CreateLogger("Host.Results");

        logger.Log(Microsoft.Extensions.Logging.LogLevel.Error, 0, new Dictionary<string, object>(), new InvalidOperationException("retry later"), (_, _) => null!);

        Assert.Contains(" fail Host.Results:  [InvalidOperationException: retry later]", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_host_uses_its_own_exception_handler()
    {
        using var host = LocalPipelineHost.Build(LocalSettings.For("UseDevelopmentStorage=true", "http://127.0.0.1:1", "services.json"));
        Assert.IsType<LocalExceptionHandler>(host.Services.GetRequiredService<IWebJobsExceptionHandlerFactory>());
    }

    [Fact]
    public async Task A_message_finishing_after_the_host_was_disposed_is_left_for_redelivery_rather_than_ending_the_process()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var handler = new LocalExceptionHandler(lifetime);
        lifetime.StopApplication();

        // The default handler rethrows this on a thread of its own, which ends the test run (as it did in CI once).
        await handler.OnUnhandledExceptionAsync(ExceptionDispatchInfo.Capture(new ObjectDisposedException("LoggerFactory")));
    }

    [Fact]
    public async Task The_local_tallies_endpoint_answers_bad_requests_with_4xx_and_goes_on_serving()
    {
        using var host = LocalPipelineHost.Build(LocalSettings.For("UseDevelopmentStorage=true", "http://127.0.0.1:1", Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName)));
        await using var server = await new LocalTalliesServer(host.Services.GetRequiredService<TalliesEndpoint>()).StartAsync();

        await AssertBadRequestsAnsweredAsync(server.Url, "/api/tallies", badPathStatus: 404, noBodyStatus: 405);

        // Still serving: the endpoint's own answer to a request without months.
        Assert.Equal(400, await StatusAsync(server.Url, "GET /api/tallies HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    [Fact]
    public async Task The_local_SendGrid_answers_bad_requests_with_4xx_and_goes_on_accepting_email()
    {
        await using var sendGrid = await LocalSendGrid.StartAsync(outbox: null);

        const string Key = "Authorization: Bearer local-key\r\n";
        await AssertBadRequestsAnsweredAsync(sendGrid.Url, "/v3/mail/send", badPathStatus: 404, noBodyStatus: 400, headers: Key);
        Assert.Equal(400, await PostAsync(sendGrid.Url, "/v3/mail/send", """{"personalizations":[{"to":[{"email":"not an address"}]}]}""", Key));
        Assert.Equal(401, await PostAsync(sendGrid.Url, "/v3/mail/send", """{"personalizations":[{"to":[{"email":"victim@example.org"}]}]}"""));

        Assert.Equal(202, await PostAsync(sendGrid.Url, "/v3/mail/send", """
            {"personalizations":[{"to":[{"email":"victim@example.org"}],"subject":"s","custom_args":{"crimeReference":"DB/26/1","victimId":"V1"}}],
             "from":{"email":"victim.care@police.example"},"content":[{"type":"text/plain","value":"hello"}]}
            """, Key));
        Assert.Single(sendGrid.Accepted);
    }

    [Fact]
    public async Task The_local_service_APIs_answer_bad_requests_with_4xx_and_go_on_taking_referrals()
    {
        await using var services = await LocalServices.StartAsync(outbox: null);

        await AssertBadRequestsAnsweredAsync(services.Url, "/general/referrals", badPathStatus: 404, noBodyStatus: 400, headers: "Idempotency-Key: k1\r\n");

        Assert.Equal(201, await PostAsync(services.Url, "/general/referrals", """{"kind":"Referral"}""", "Idempotency-Key: k2\r\n"));
        Assert.Equal(1, services.Count);
    }

    /// <summary>No body (with and without Content-Length), bad JSON, a huge body, a wrong method and a wrong path: each a 4xx, and the next request still answered.</summary>
    private static async Task AssertBadRequestsAnsweredAsync(string url, string path, int badPathStatus, int noBodyStatus, string headers = "")
    {
        // Without a Content-Length the body is empty (HTTP/1.1): a 4xx, and the server must go on.
        Assert.InRange(await StatusAsync(url, $"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n"), 400, 499);
        Assert.Equal(noBodyStatus, await StatusAsync(url, $"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: 0\r\n\r\n"));
        Assert.InRange(await PostAsync(url, path, "{not json", headers), 400, 405);
        Assert.InRange(await PostAsync(url, path, new string('x', Referrals.StandIns.LoopbackServer.MaxBodyBytes + 1), headers), 400, 413);
        Assert.Equal(405, await StatusAsync(url, $"DELETE {path} HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.Equal(badPathStatus, await StatusAsync(url, "GET /no/such/path HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    private static Task<int> PostAsync(string url, string path, string body, string headers = "") =>
        StatusAsync(url, $"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    /// <summary>Sends a raw request (so nothing is tidied up on the way) and returns the status of the answer.</summary>
    private static async Task<int> StatusAsync(string url, string request)
    {
        var uri = new Uri(url);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Loopback, uri.Port, timeout.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.Replace("Host: x", $"Host: {uri.Authority}", StringComparison.Ordinal)), timeout.Token);
        }
        catch (IOException)
        {
            // A server may answer and close before a huge body is all sent: the answer is still there to read.
        }

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync(timeout.Token) ?? throw new IOException("no answer");
        return int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
