using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// POSTs a referral document to a service's API with an Idempotency-Key equal to the delivery id, so a repeat is
/// answered 409 rather than making a second referral: that is why a timeout or a 5xx may be retried here. Retries
/// 408, 429 and 5xx with backoff that honours Retry-After within the cap (<see cref="HttpRetries"/>). A redirect is
/// never followed (<see cref="PipelineServices.OutboundHandler"/>): the API key and the victim's details go to the
/// address in the services directory or nowhere.
/// </summary>
public sealed partial class ServiceGateway(HttpClient http, ServiceCredentials credentials, IOptions<ForwardingOptions> options, TimeProvider time, ILogger<ServiceGateway> logger)
{
    private readonly ResiliencePipeline<HttpTry<SendOutcome>> _retries = HttpRetries.Pipeline<SendOutcome>(options.Value.MaxAttempts, options.Value.MaxRetryDelay, time);

    public async Task<SendOutcome> PostAsync(ReferralChannel channel, IDeliveryDocument document, CancellationToken cancellationToken)
    {
        var body = document.ToJsonBytes();
        var attempt = 0;
        var last = await _retries.ExecuteAsync(async token => await TryOnceAsync(channel, document, body, ++attempt, token), cancellationToken);
        return last.Outcome;
    }

    private async Task<HttpTry<SendOutcome>> TryOnceAsync(ReferralChannel channel, IDeliveryDocument document, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, channel.EndpointUri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add("Idempotency-Key", document.Id);
            await credentials.ApplyAsync(request, channel.Auth!, cancellationToken);
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict)
            {
                return new(new SendOutcome.Accepted(null, status), false);
            }

            if (status is >= 300 and < 400)
            {
                return new(new SendOutcome.Permanent($"{document.Service} answered with a redirect ({status}); redirects are not followed, so nothing was sent elsewhere", status), false);
            }

            if (status is not (408 or 429) && status < 500)
            {
                return new(new SendOutcome.Permanent($"{document.Service} refused the {document.Kind}: {status} {response.StatusCode}: {await Describe(response, cancellationToken)}", status), false);
            }

            LogTransient(logger, document.Service, document.Kind, status, attempt);
            var retryAfter = HttpRetries.RetryAfter(response.Headers, time.GetUtcNow());
            return new(new SendOutcome.Transient(HttpRetries.Beyond(retryAfter, options.Value.MaxRetryDelay)
                ? $"{document.Service} answered {status} {response.StatusCode} and asked to wait longer than Forwarding__MaxRetryDelay: the queue tries again later"
                : $"{document.Service} answered {status} {response.StatusCode}"), true, retryAfter);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogTransient(logger, document.Service, document.Kind, 0, attempt);
            return new(new SendOutcome.Transient($"{document.Service} could not be reached: {ex.GetType().Name}"), true);
        }
    }

    private static async Task<string> Describe(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Length > 300 ? body[..300] : body;
    }

    // No ids here (the forwarder logs them, redacted) and never the service's answer.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {ServiceId} did not accept a {Kind} (status {Status}, attempt {Attempt}); retrying")]
    private static partial void LogTransient(ILogger logger, string serviceId, DeliveryKind kind, int status, int attempt);
}
