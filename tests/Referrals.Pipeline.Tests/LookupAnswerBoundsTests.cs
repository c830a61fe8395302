using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Receipts;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The status look-ups read a provider's answer to at most 1 MiB and one byte: a provider (or whatever answers in its
/// place) sending more, and never ending, gets the parser's refusal promptly, never the whole body buffered or waited for.
/// </summary>
public sealed class LookupAnswerBoundsTests
{
    private const string NotifyKey = "referrals_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
    private const string NotificationId = "740e5834-3a29-46b4-9a6f-16142fde533a";

    [Fact]
    public async Task An_answer_over_1_MiB_that_never_ends_is_refused_as_the_parser_refuses_it_without_waiting_for_its_end()
    {
        await using var provider = new UnendingAnswer(bodyBytes: 5 * 1024 * 1024);
        using var http = new HttpClient(PipelineServices.OutboundHandler()) { Timeout = TimeSpan.FromSeconds(20) };
        var sendGrid = new SendGridActivityLookup(http, Options.Create(new SendGridOptions { ApiKey = "stand-in-key", Host = provider.Url, FromAddress = "vcu@example.org" }));
        var notify = new NotifyStatusLookup(http, Options.Create(new NotifyOptions { ApiKey = NotifyKey, BaseUrl = provider.Url }), TimeProvider.System);
        var clock = Stopwatch.StartNew();

        var activity = Assert.IsType<ActivityLookup.Failed>(await sendGrid.FindByTokenAsync("a-token", CancellationToken.None));
        var status = Assert.IsType<StatusLookup.Failed>(await notify.GetAsync(NotificationId, CancellationToken.None));
        var reference = Assert.IsType<ReferenceLookup.Failed>(await notify.FindByReferenceAsync("a-reference", CancellationToken.None));

        // The parser's refusal (no usable answer: asked again on a later run; no receipt, so nothing settled), not a timeout.
        Assert.Equal(("SendGrid's Email Activity API's answer is not a list of messages", false), (activity.Reason, activity.RateLimited));
        Assert.Equal(("Notify's answer is not a notification: the answer is larger than 1 MiB", false), (status.Reason, status.WorthRetrying));
        Assert.Equal("Notify's answer is not a list of notifications", reference.Reason);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(3, provider.Requests);
    }

    [Fact]
    public async Task An_answer_that_stalls_after_its_headers_ends_at_the_client_s_timeout_without_an_answer()
    {
        await using var provider = new UnendingAnswer(bodyBytes: 100);
        using var http = new HttpClient(PipelineServices.OutboundHandler()) { Timeout = TimeSpan.FromMilliseconds(500) };
        var notify = new NotifyStatusLookup(http, Options.Create(new NotifyOptions { ApiKey = NotifyKey, BaseUrl = provider.Url }), TimeProvider.System);
        var clock = Stopwatch.StartNew();

        var failed = Assert.IsType<StatusLookup.Failed>(await notify.GetAsync(NotificationId, CancellationToken.None));

        Assert.True(failed.WorthRetrying);
        Assert.StartsWith("the call to Notify ended without an answer", failed.Reason, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// HTTP/1.1 on loopback answering every request 200 with a chunked JSON body: <c>bodyBytes</c> of it at once, then
    /// nothing more and never its end, until the client goes away.
    /// </summary>
    private sealed class UnendingAnswer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;
        private int _requests;

        public UnendingAnswer(int bodyBytes)
        {
            _listener.Start();
            _serving = ServeAsync(bodyBytes);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }

        private async Task ServeAsync(int bodyBytes)
        {
            var answering = new List<Task>();
            try
            {
                while (true)
                {
                    answering.Add(AnswerAsync(await _listener.AcceptTcpClientAsync(_stop.Token), bodyBytes));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                await Task.WhenAll(answering);
            }
        }

        private async Task AnswerAsync(TcpClient client, int bodyBytes)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    Interlocked.Increment(ref _requests);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), _stop.Token);
                    var chunk = Encoding.ASCII.GetBytes("{\"messages\":[" + new string(' ', (64 * 1024) - 13));
                    for (var sent = 0; sent < bodyBytes; sent += chunk.Length)
                    {
                        var part = chunk.AsMemory(0, Math.Min(chunk.Length, bodyBytes - sent));
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{part.Length:x}\r\n"), _stop.Token);
                        await stream.WriteAsync(part, _stop.Token);
                        await stream.WriteAsync("\r\n"u8.ToArray(), _stop.Token);
                    }

                    await Task.Delay(Timeout.Infinite, _stop.Token); // never the last chunk
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
                {
                    // The client went away, or the test ended.
                }
            }
        }
    }
}
