using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Receipts;
using SendGrid;

namespace Referrals.Pipeline.Receipts;

/// <summary>What SendGrid's Email Activity API said when asked for the message with one token.</summary>
public abstract record ActivityLookup
{
    /// <summary>SendGrid's records answered: found, or not found.</summary>
    public sealed record Answered(State.SendGridRecord Record) : ActivityLookup;

    /// <summary>
    /// No usable answer (a 4xx, a 5xx, no answer, not SendGrid's shape): asked again on a later run.
    /// <paramref name="RateLimited"/>: a 429, so no more look-ups this run.
    /// </summary>
    public sealed record Failed(string Reason, bool RateLimited = false) : ActivityLookup;
}

/// <summary>
/// <c>GET /v3/messages?query=unique_args['ref']="{token}"&amp;limit=10</c> on SendGrid's Email Activity API
/// (<see cref="SendGridActivity"/>), through the SendGrid client's own <c>RequestAsync</c> with the app's API key (the
/// key needs the Email Activity scope). The client appends query values as given (sendgrid/sendgrid-csharp
/// <c>src/SendGrid/BaseClient.cs</c> <c>BuildUrl</c>, lines 279-316 at 4a31535), so the query is URL-encoded here. A
/// redirect is never followed (<see cref="PipelineServices.OutboundHandler"/>). The answer is read to at most 1 MiB and
/// one byte (<see cref="ReceiptBody"/>): a larger one is no usable answer, like one not SendGrid's shape. Nothing of the
/// answer is logged.
/// </summary>
public sealed class SendGridActivityLookup(HttpClient http, IOptions<SendGridOptions> options)
{
    // Built on first use: an operator's shell without SendGrid's key (`referrals replay` of a text message) never needs it.
    private readonly Lazy<SendGridClient> _client = new(() => new HeadersFirstClient(http, string.IsNullOrEmpty(options.Value.Host)
        ? new SendGridClientOptions { ApiKey = options.Value.ApiKey }
        : new SendGridClientOptions { ApiKey = options.Value.ApiKey, Host = options.Value.Host }));

    public async Task<ActivityLookup> FindByTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.ApiKey))
        {
            return new ActivityLookup.Failed("SendGrid:ApiKey is not set");
        }

        var query = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["query"] = Uri.EscapeDataString(SendGridActivity.Query(token)),
            ["limit"] = SendGridActivity.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            var response = await _client.Value.RequestAsync(BaseClient.Method.GET, queryParams: query, urlPath: "messages", cancellationToken: cancellationToken);
            using var content = response.Body;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ActivityLookup.Failed($"SendGrid's Email Activity API answered {(int)response.StatusCode} {response.StatusCode}", response.StatusCode == HttpStatusCode.TooManyRequests);
            }

            var body = content is null ? [] : await ReceiptBody.ReadAsync(content, http.Timeout, cancellationToken);
            return body is not null && SendGridActivity.Parse(body) is { } record
                ? new ActivityLookup.Answered(record)
                : new ActivityLookup.Failed("SendGrid's Email Activity API's answer is not a list of messages");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ActivityLookup.Failed($"the call to SendGrid's Email Activity API ended without an answer ({ex.GetType().Name})");
        }
    }

    /// <summary>
    /// The SendGrid client, handing back the response once its headers are read. <c>MakeRequest</c> is the client's
    /// documented point of customisation; its own (sendgrid/sendgrid-csharp <c>src/SendGrid/BaseClient.cs</c>) sends with
    /// the default completion, which buffers the whole body first, and otherwise only throws on an error status when
    /// <c>HttpErrorAsException</c> is set (never here) and fixes a "utf8" charset (the body is read as bytes here).
    /// </summary>
    private sealed class HeadersFirstClient : SendGridClient
    {
        private readonly HttpClient _http;

        public HeadersFirstClient(HttpClient http, SendGridClientOptions options)
            : base(http, options) => _http = http;

        public override async Task<Response> MakeRequest(HttpRequestMessage request, CancellationToken cancellationToken = default)
        {
            using (request)
            {
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                return new Response(response.StatusCode, response.Content, response.Headers);
            }
        }
    }
}
