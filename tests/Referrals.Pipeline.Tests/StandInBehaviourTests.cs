using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Referrals.LocalHost;
using Referrals.Pipeline.Receipts;
using Referrals.StandIns;
using Referrals.StandIns.Notify;
using Referrals.StandIns.SendGrid;

namespace Referrals.Pipeline.Tests;

/// <summary>What the stand-ins do as the providers do, beyond their schemas (issue 21): each short, on loopback.</summary>
public sealed class StandInBehaviourTests
{
    private static async Task<(int Status, JsonNode? Body)> PostSmsAsync(NotifyStandIn notify, string phone, string reference)
    {
        using var http = new HttpClient();
        var body = new JsonObject
        {
            ["phone_number"] = phone,
            ["template_id"] = LocalNotify.SmsTemplateId,
            ["reference"] = reference,
            ["personalisation"] = new JsonObject { ["force_name"] = "Example Constabulary", ["crime_reference"] = "DB/26/1", ["help"] = "101", ["bereaved"] = "no", ["stay_safe"] = "no" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(notify.Url + "/v2/notifications/sms")) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NotifyApiKey.TryParse(LocalNotify.ApiKey)!.Token(DateTimeOffset.UtcNow));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task Notifys_smoke_test_numbers_are_answered_but_neither_stored_nor_reported_on_while_others_are()
    {
        await using var notify = await LocalNotify.StartAsync(null, LocalNotify.Timings.Tests);
        await using var callbacks = await LoopbackServer.StartAsync(context => { context.Response.StatusCode = 200; return Task.CompletedTask; });
        notify.SendCallbacksTo(callbacks.Url, "token");

        var (smoke, answer) = await PostSmsAsync(notify, "07700 900111", "smoke");
        var (real, _) = await PostSmsAsync(notify, "07700 900123", "real");
        Assert.True(await notify.SettleAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal((201, 201), (smoke, real));
        Assert.NotNull(answer!["id"]);
        Assert.Equal(1, notify.SmokeTests);
        Assert.Equal(["real"], notify.Accepted.Select(n => n.Reference));
        Assert.Equal(["delivered"], notify.Callbacks.Select(c => c.Status));
    }

    [Theory]
    [InlineData(500, 6)]
    [InlineData(503, 6)]
    [InlineData(429, 6)]
    [InlineData(400, 1)]
    [InlineData(401, 1)]
    [InlineData(409, 1)]
    public async Task A_Notify_callback_is_retried_only_after_a_5xx_or_429_at_most_5_times(int status, int tries)
    {
        await using var endpoint = await LoopbackServer.StartAsync(context => { context.Response.StatusCode = status; return Task.CompletedTask; });
        using var poster = new NotifyCallbackPoster(TimeSpan.FromMilliseconds(10));

        var result = await poster.PostAsync(endpoint.Url, "token", "delivery-status", "id", "delivered", []);

        Assert.Equal((status, tries), (result.HttpStatus, result.Tries));
    }

    [Fact]
    public async Task A_Notify_callback_that_gets_no_connection_is_retried_and_one_that_stalls_gives_up_at_5_seconds()
    {
        using var poster = new NotifyCallbackPoster(TimeSpan.FromMilliseconds(10), maxRetries: 2, timeout: TimeSpan.FromMilliseconds(300));
        await using var stall = await LoopbackServer.StartAsync(context => Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted));

        var refused = await poster.PostAsync("http://127.0.0.1:9/", "token", "delivery-status", "id", "delivered", []);
        var stalled = await poster.PostAsync(stall.Url, "token", "delivery-status", "id", "delivered", []);

        Assert.Equal((0, 3), (refused.HttpStatus, refused.Tries));
        Assert.Equal((0, 3), (stalled.HttpStatus, stalled.Tries));
    }

    [Fact]
    public async Task A_Notify_stand_in_told_to_misbehave_stores_the_message_then_answers_500_or_drops_the_connection()
    {
        await using var notify = await LocalNotify.StartAsync(null, LocalNotify.Timings.Tests);
        notify.Faults.For = reference => reference == "drop" ? Fault.DropConnection : reference == "fail" ? Fault.Status500 : Fault.None;

        var (failed, body) = await PostSmsAsync(notify, "07700 900123", "fail");
        await Assert.ThrowsAsync<HttpRequestException>(() => PostSmsAsync(notify, "07700 900124", "drop"));

        Assert.Equal(500, failed);
        Assert.Equal("Exception", body!["errors"]![0]!["error"]!.GetValue<string>());
        Assert.Equal(["fail", "drop"], notify.Accepted.Select(n => n.Reference));
    }

    [Fact]
    public async Task The_SendGrid_stand_in_bounces_late_without_the_message_id_repeats_events_and_can_withhold_processed()
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<JsonNode>();
        await using var webhook = await LoopbackServer.StartAsync(async context =>
        {
            foreach (var item in JsonNode.Parse(await LoopbackServer.ReadBodyAsync(context.Request))!.AsArray())
            {
                received.Enqueue(item!.DeepClone());
            }

            context.Response.StatusCode = 200;
        });
        await using var sendGrid = await SendGridStandIn.StartAsync(new SendGridStandInOptions { EventCopies = 2, WithholdProcessed = true, AsyncBounceAfter = TimeSpan.FromMilliseconds(50) });
        sendGrid.PostEventsTo(webhook.Url);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sendGrid.Url + "/v3/mail/send"))
        {
            Content = new StringContent("""{"personalizations":[{"to":[{"email":"late-bounce@example.org"}],"subject":"s","custom_args":{"victimId":"V1"}}],"from":{"email":"vcu@police.example"},"content":[{"type":"text/plain","value":"t"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k");

        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request)).StatusCode);
        Assert.True(await sendGrid.FlushEventsAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(["bounce", "bounce", "delivered", "delivered"], received.Select(e => e["event"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(received.Where(e => e["event"]!.GetValue<string>() == "bounce"), e => Assert.Null(e["sg_message_id"]));
        Assert.All(received.Where(e => e["event"]!.GetValue<string>() == "delivered"), e => Assert.NotNull(e["sg_message_id"]));
        Assert.All(received, e => Assert.Equal("V1", e["victimId"]!.GetValue<string>()));
        Assert.Equal(2, received.Select(e => e["sg_event_id"]!.GetValue<string>()).Distinct().Count());
    }
}
