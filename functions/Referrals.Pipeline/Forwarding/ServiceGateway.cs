using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Rules;

namespace Referrals.Pipeline.Forwarding;

public abstract record DeliveryOutcome
{
    /// <summary>2xx, or 409: the service already has this delivery (its Idempotency-Key).</summary>
    public sealed record Delivered(int Status) : DeliveryOutcome;

    /// <summary>Worth trying again later: 408, 429, 5xx, a timeout or a network fault.</summary>
    public sealed record Transient(string Reason) : DeliveryOutcome;

    /// <summary>The service will never accept it as it is: any other 4xx.</summary>
    public sealed record Permanent(string Reason, int Status) : DeliveryOutcome;
}

/// <summary>
/// POSTs a referral document to a service's API with an Idempotency-Key equal to the delivery id, so a repeat is
/// answered 409 rather than making a second referral. Retries 408, 429 and 5xx with backoff that honours Retry-After.
/// </summary>
public sealed partial class ServiceGateway(HttpClient http, ServiceCredentials credentials, IOptions<ForwardingOptions> options, TimeProvider time, ILogger<ServiceGateway> logger)
{
    public async Task<DeliveryOutcome> PostAsync(ReferralChannel channel, ReferralDocument document, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = document.ToJsonBytes();
        DeliveryOutcome outcome = new DeliveryOutcome.Transient("not attempted");
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            TimeSpan? wait = null;
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
                    return new DeliveryOutcome.Delivered(status);
                }

                if (status is not (408 or 429) && status < 500)
                {
                    return new DeliveryOutcome.Permanent($"{document.Service} refused the {document.Kind}: {status} {response.StatusCode}: {await Describe(response, cancellationToken)}", status);
                }

                outcome = new DeliveryOutcome.Transient($"{document.Service} answered {status} {response.StatusCode}");
                wait = RetryDelays.RetryAfter(response.Headers, time.GetUtcNow());
                LogTransient(logger, document.Service, document.Kind, status, attempt);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                outcome = new DeliveryOutcome.Transient($"{document.Service} could not be reached: {ex.GetType().Name}");
                LogTransient(logger, document.Service, document.Kind, 0, attempt);
            }

            if (attempt < settings.MaxAttempts)
            {
                await Task.Delay(RetryDelays.Clamp(wait ?? RetryDelays.Backoff(attempt), settings.MaxRetryDelay), time, cancellationToken);
            }
        }

        return outcome;
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
