using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.LocalHost;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Receipts;
using Referrals.Receipts;
using Referrals.Rules;
using Referrals.StandIns;
using Referrals.StandIns.Notify;
using Referrals.StandIns.SendGrid;
using Referrals.State;
using Referrals.Tests.Situations;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The stand-ins against the providers' own material (issue 21): GOV.UK Notify's JSON schemas and SendGrid's OpenAPI
/// document (Contracts/, each file naming its source and commit), SendGrid's published signature test vectors, and
/// Notify's answers for numbers, addresses and texts (the core tests' NotifyRules tables). And the rule that keeps the
/// stand-ins honest: they share no code with the pipeline.
/// </summary>
public sealed class StandInContractTests
{
    private static readonly NotifyMessageComposer Composer = new(
        new TextMessageComposer(MessageTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), ForceIdentity.Example),
        new LetterComposer(MessageTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), ForceIdentity.Example));

    private static string Contract(string path) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contracts", path));

    private static void AssertValid(string schemaFile, JsonNode? instance)
    {
        var result = JsonSchema.FromText(Contract(schemaFile)).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = result.Details.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, $"{schemaFile}: {string.Join("; ", errors)}\n{instance?.ToJsonString()}");
    }

    [Fact]
    public void The_stand_ins_share_no_code_with_the_pipeline_no_project_and_no_assembly_of_ours()
    {
        var project = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "parity", "Referrals.StandIns.csproj"));
        Assert.DoesNotContain("ProjectReference", project, StringComparison.Ordinal);
        Assert.Contains("Microsoft.AspNetCore.App", project, StringComparison.Ordinal);

        var references = typeof(NotifyStandIn).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, name => name.StartsWith("Referrals", StringComparison.Ordinal));
        Assert.Contains("PhoneNumbers", references);
    }

    public sealed record PhoneCase(string Given, string Notify, string Ours, string From);

    public sealed record AddressCase(string[] Block, string? Notify, string? Ours, string From);

    public sealed record TextCase(string Text, int Times, string? Then, int Characters, string Encoding, int Fragments, string? Sent, string From);

    private static readonly JsonSerializerOptions CaseOptions = new() { ReadCommentHandling = JsonCommentHandling.Skip, PropertyNameCaseInsensitive = true };

    private static List<T> Cases<T>(string file) =>
        JsonSerializer.Deserialize<List<T>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "NotifyRules", file)), CaseOptions)!;

    public static TheoryData<int> PhoneRows() => [.. Enumerable.Range(0, Cases<PhoneCase>("phone-numbers.jsonc").Count)];

    public static TheoryData<int> AddressRows() => [.. Enumerable.Range(0, Cases<AddressCase>("postal-addresses.jsonc").Count)];

    public static TheoryData<int> TextRows() => [.. Enumerable.Range(0, Cases<TextCase>("text-messages.jsonc").Count)];

    [Theory]
    [MemberData(nameof(PhoneRows))]
    public void The_Notify_stand_in_accepts_normalises_and_refuses_numbers_as_Notify_does(int row)
    {
        var c = Cases<PhoneCase>("phone-numbers.jsonc")[row];
        var (normalised, error) = NotifyPhone.Check(c.Given);
        if (char.IsAsciiDigit(c.Notify[0]))
        {
            Assert.True(error is null, $"{c.From}: Notify accepts it, the stand-in says {error?.Message}");
            Assert.Equal(c.Notify, normalised);
            return;
        }

        Assert.NotNull(error);
        var expected = c.Notify switch
        {
            "too_long" => "phone_number Too many digits",
            "too_short" => "phone_number Not enough digits",
            "unknown_character" => "phone_number Must not contain letters or symbols",
            "invalid_number" => "phone_number Number is not valid – double check the phone number you entered",
            _ => error.Error == "BadRequestError" ? "Cannot send to international mobile numbers" : "Not a UK mobile number",
        };
        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [MemberData(nameof(AddressRows))]
    public void The_Notify_stand_in_accepts_and_refuses_addresses_as_Notify_does(int row)
    {
        var c = Cases<AddressCase>("postal-addresses.jsonc")[row];
        var personalisation = new JsonObject();
        for (var i = 0; i < c.Block.Length; i++)
        {
            personalisation[$"address_line_{i + 1}"] = c.Block[i];
        }

        Assert.Equal(c.Notify, NotifyAddress.Check(personalisation).Error?.Message);
    }

    [Theory]
    [MemberData(nameof(TextRows))]
    public void The_Notify_stand_in_sends_and_counts_a_text_as_Notify_does(int row)
    {
        var c = Cases<TextCase>("text-messages.jsonc")[row];
        var text = string.Concat(Enumerable.Repeat(c.Text, Math.Max(c.Times, 1))) + c.Then;

        var body = NotifyTemplates.SmsBody("((text))", new JsonObject { ["text"] = text });

        Assert.Equal(c.Characters, body.Length);
        if (c.Sent is not null)
        {
            Assert.Equal(c.Sent, body);
        }
    }

    [Fact]
    public async Task What_the_gateway_sends_and_what_the_Notify_stand_in_answers_validate_against_Notifys_schemas()
    {
        await using var callbacks = await Recorder.StartAsync();
        await using var notify = await LocalNotify.StartAsync(null, LocalNotify.Timings.Tests);
        notify.SendCallbacksTo(callbacks.Url + "/delivery", "token", callbacks.Url + "/returned");
        var options = new NotifyOptions
        {
            ApiKey = LocalNotify.ApiKey,
            BaseUrl = notify.Url,
            SmsTemplateId = LocalNotify.SmsTemplateId,
            LetterTemplateId = LocalNotify.LetterTemplateId,
            WelshSmsTemplateId = LocalNotify.WelshSmsTemplateId,
            BilingualLetterTemplateId = LocalNotify.BilingualLetterTemplateId,
        };
        var gateway = new NotifyGateway(OutboundHttp.ClientFor<NotifyGateway>(notify: options), Options.Create(options), TimeProvider.System, NullLogger<NotifyGateway>.Instance);
        foreach (var (channel, situation) in new[] { (Channel.Sms, "victim-autoreferred-standard"), (Channel.Letter, "victim-autoreferred-standard"), (Channel.Sms, "cy-victim-autoreferred-standard"), (Channel.Letter, "cy-victim-autoreferred-standard") })
        {
            var s = MessageSituations.All.Single(m => m.Name == situation);
            var message = Composer.Compose(channel, s.Snapshot, s.Victim, s.Decision, Enum.GetValues<NotifyTemplateKind>().ToHashSet())!;
            Assert.IsType<SendOutcome.Accepted>(await gateway.SendAsync(message, $"rf1.{situation}.{channel}", CancellationToken.None));
        }

        Assert.True(await notify.SettleAsync(TimeSpan.FromSeconds(20)));
        using var http = new HttpClient();
        async Task<(int Status, JsonNode? Body)> CallAsync(HttpMethod method, string path, string? body = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(notify.Url + path)) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NotifyApiKey.TryParse(LocalNotify.ApiKey)!.Token(DateTimeOffset.UtcNow));
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
        }

        foreach (var sent in notify.Accepted)
        {
            AssertValid(sent.Type == "sms" ? "notify/post-sms-request.schema.json" : "notify/post-letter-request.schema.json", sent.Request);
            var (status, one) = await CallAsync(HttpMethod.Get, $"/v2/notifications/{sent.Id}");
            Assert.Equal(200, status);
            AssertValid("notify/get-notification-response.schema.json", one);
            string[] fields = ["body", "completed_at", "cost_details", "cost_in_pounds", "created_at", "created_by_name", "email_address", "id", "is_cost_data_ready", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "one_click_unsubscribe_url", "phone_number", "postage", "postcode", "reference", "scheduled_for", "sent_at", "status", "subject", "template", "type"];
            Assert.Equal(
                [.. fields, .. sent.Type == "letter" ? ["estimated_delivery"] : Array.Empty<string>()],
                one!.AsObject().Select(p => p.Key).OrderBy(k => k == "estimated_delivery").ThenBy(k => k, StringComparer.Ordinal));
            var (listed, list) = await CallAsync(HttpMethod.Get, $"/v2/notifications?reference={Uri.EscapeDataString(sent.Reference)}");
            Assert.Equal(200, listed);
            AssertValid("notify/get-notifications-response.schema.json", list);
            Assert.Equal(sent.Id, Assert.Single(list!["notifications"]!.AsArray())!["id"]!.GetValue<string>());
        }

        // Answers to a request of each kind, and Notify's errors.
        var letter = notify.Accepted.First(n => n.Type == "letter").Request.DeepClone().AsObject();
        letter.Remove("id");
        letter.Remove("content");
        var text = notify.Accepted.First(n => n.Type == "sms").Request.DeepClone().AsObject();
        text.Remove("id");
        text.Remove("content");
        var (created, answer) = await CallAsync(HttpMethod.Post, "/v2/notifications/letter", letter.ToJsonString());
        Assert.Equal(201, created);
        AssertValid("notify/post-letter-response.schema.json", answer);
        (created, answer) = await CallAsync(HttpMethod.Post, "/v2/notifications/sms", text.ToJsonString());
        Assert.Equal(201, created);
        AssertValid("notify/post-sms-response.schema.json", answer);
        text["phone_number"] = "01629 123456";
        foreach (var (status, error) in new[]
        {
            await CallAsync(HttpMethod.Post, "/v2/notifications/sms", text.ToJsonString()),
            await CallAsync(HttpMethod.Post, "/v2/notifications/sms", """{"template_id":"not a uuid","extra":1}"""),
            await CallAsync(HttpMethod.Get, $"/v2/notifications/{Guid.NewGuid()}"),
            await CallAsync(HttpMethod.Get, "/v2/notifications/not-a-uuid"),
        })
        {
            Assert.InRange(status, 400, 404);
            AssertValid("notify/error-response.schema.json", error);
        }

        // The callbacks it posted: a delivery receipt for each text, and a returned letter when asked.
        Assert.True(notify.ReturnLetter(notify.Accepted.First(n => n.Type == "letter").Id));
        Assert.True(await notify.SettleAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(3, callbacks.Received.Count(r => r.Path == "/delivery"));
        Assert.All(callbacks.Received.Where(r => r.Path == "/delivery"), r => AssertValid("notify/delivery-status-callback.schema.json", JsonNode.Parse(r.Body)));
        AssertValid("notify/returned-letter-callback.schema.json", JsonNode.Parse(Assert.Single(callbacks.Received, r => r.Path == "/returned").Body));
        Assert.All(callbacks.Received, r => Assert.Equal("Bearer token", r.Authorization));
    }

    [Fact]
    public async Task What_the_SendGrid_client_sends_and_what_the_SendGrid_stand_in_answers_validate_against_SendGrids_OpenAPI_document()
    {
        await using var sendGrid = await SendGridStandIn.StartAsync();
        var client = new SendGridClient(new SendGridClientOptions { ApiKey = "local", Host = sendGrid.Url });
        var message = MailHelper.CreateSingleEmail(new global::SendGrid.Helpers.Mail.EmailAddress("vcu@police.example", "Victim Care Unit"), new global::SendGrid.Helpers.Mail.EmailAddress("jo@example.org"), "Subject", "text", "<p>html</p>");
        message.AddCustomArg("crimeReference", "DB/26/000123");
        message.AddCategory(SendGridEvents.EntitlementCategory);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.SendEmailAsync(message)).StatusCode);

        // The OpenAPI document lists subject as required at the top level; SendGrid's API and its own C# library (which
        // production uses) put it in each personalization instead, which SendGrid's Mail Send reference allows. That one
        // relaxation is made here, and nothing else.
        var sent = Assert.Single(sendGrid.Accepted).Mail.DeepClone().AsObject();
        Assert.All(sent["personalizations"]!.AsArray(), p => Assert.NotNull(p!["subject"]));
        sent["subject"] ??= sent["personalizations"]![0]!["subject"]!.DeepClone();
        AssertValid("sendgrid/mail-send-request.schema.json", sent);

        using var http = new HttpClient();
        foreach (var (auth, body) in new[] { ((string?)null, "{}"), ("Bearer k", """{"personalizations":[]}"""), ("Bearer k", """{"personalizations":[{"to":[{"email":"jo@example.org"}]}]}""") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sendGrid.Url + "/v3/mail/send")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (auth is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", auth);
            }

            using var response = await http.SendAsync(request);
            Assert.InRange((int)response.StatusCode, 400, 401);
            AssertValid("sendgrid/error-response.schema.json", JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }
    }

    public sealed record SignatureVector(string Name, string PublicKey, string Signature, string Timestamp, string Payload, bool Valid);

    public static TheoryData<string> Vectors() => [.. JsonNode.Parse(Contract("sendgrid/signature-vectors.json"))!["vectors"]!.AsArray().Select(v => v!["name"]!.GetValue<string>())];

    [Theory]
    [MemberData(nameof(Vectors))]
    public void SendGrids_published_test_vectors_verify_or_are_refused_as_forged(string name)
    {
        var vector = JsonSerializer.Deserialize<List<SignatureVector>>(JsonNode.Parse(Contract("sendgrid/signature-vectors.json"))!["vectors"]!.ToJsonString(), JsonSerializerOptions.Web)!.Single(v => v.Name == name);
        var now = long.TryParse(vector.Timestamp, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.UnixEpoch;

        var check = new SendGridSignature(vector.PublicKey).Check(vector.Signature, vector.Timestamp, Encoding.UTF8.GetBytes(vector.Payload), now);

        Assert.Equal(vector.Valid ? RequestCheck.Valid : RequestCheck.Forged, check);
    }

    [Fact]
    public void The_SendGrid_stand_ins_signature_verifies_with_SendGrids_own_library_and_with_the_webhooks_check()
    {
        using var signer = new SendGridSigner();
        var body = Encoding.UTF8.GetBytes("[{\"event\":\"delivered\",\"email\":\"jo@example.org\",\"sg_event_id\":\"e1\"}]\r\n");
        var at = DateTimeOffset.UtcNow;

        var (signature, timestamp) = signer.Sign(body, at);
        var validator = new global::SendGrid.Helpers.EventWebhook.RequestValidator();

        Assert.True(validator.VerifySignature(validator.ConvertPublicKeyToECDSA(signer.PublicKey), Encoding.UTF8.GetString(body), signature, timestamp));
        Assert.Equal(RequestCheck.Valid, new SendGridSignature(signer.PublicKey).Check(signature, timestamp, body, at));
        Assert.Equal(RequestCheck.Forged, new SendGridSignature(signer.PublicKey).Check(signature, timestamp, [.. body, (byte)' '], at));
    }

    /// <summary>A loopback endpoint that records what is posted to it and answers 200.</summary>
    private sealed class Recorder : IAsyncDisposable
    {
        private LoopbackServer? _server;

        public System.Collections.Concurrent.ConcurrentQueue<(string Path, string Authorization, string Body)> Received { get; } = new();

        public string Url => _server!.Url;

        public static async Task<Recorder> StartAsync()
        {
            var recorder = new Recorder();
            recorder._server = await LoopbackServer.StartAsync(async context =>
            {
                var body = Encoding.UTF8.GetString(await LoopbackServer.ReadBodyAsync(context.Request));
                recorder.Received.Enqueue((context.Request.Path.Value!, context.Request.Headers.Authorization.ToString(), body));
                context.Response.StatusCode = 200;
            });
            return recorder;
        }

        public ValueTask DisposeAsync() => _server!.DisposeAsync();
    }
}
