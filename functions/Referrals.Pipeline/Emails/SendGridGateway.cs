using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Referrals.Pipeline.Emails;

public abstract record SendOutcome
{
    public sealed record Accepted(string? MessageId) : SendOutcome;

    /// <summary>Worth trying again later: 429, 5xx, a timeout or a network fault.</summary>
    public sealed record Transient(string Reason) : SendOutcome;

    /// <summary>SendGrid will never accept it as it is: any other 4xx.</summary>
    public sealed record Permanent(string Reason) : SendOutcome;
}

/// <summary>An email for SendGrid: identifiers go in custom_args and the category, never personal data.</summary>
public sealed record OutgoingEmail(string To, string Subject, string TextBody, string? HtmlBody, string Category, string CrimeReference, string VictimId);

/// <summary>
/// Sends through the SendGrid client, retrying 429 and 5xx with backoff that honours Retry-After and
/// X-RateLimit-Reset (SendGrid's own retry handler never retries 429). Identifiers go in custom_args;
/// nothing personal goes in categories; click and open tracking are off.
/// </summary>
public sealed partial class SendGridGateway(HttpClient http, IOptions<SendGridOptions> options, TimeProvider time, ILogger<SendGridGateway> logger)
{
    // Built once: the options are fixed at start-up, and one client is shared by every concurrent send.
    private readonly SendGridClient _client = new(http, string.IsNullOrEmpty(options.Value.Host)
        ? new SendGridClientOptions { ApiKey = options.Value.ApiKey }
        : new SendGridClientOptions { ApiKey = options.Value.ApiKey, Host = options.Value.Host });

    public Task<SendOutcome> SendAsync(EntitlementEmail email, CancellationToken cancellationToken) =>
        SendAsync(new OutgoingEmail(email.To, email.Subject, email.TextBody, email.HtmlBody, "entitlement-email", email.CrimeReference, email.VictimId), cancellationToken);

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = Message(email, settings);

        SendOutcome outcome = new SendOutcome.Transient("not attempted");
        var started = time.GetTimestamp();
        for (var attempt = 1; attempt <= settings.MaxAttempts && time.GetElapsedTime(started) + settings.Timeout <= settings.SendBudget; attempt++)
        {
            TimeSpan? wait = null;
            try
            {
                var response = await _client.SendEmailAsync(message, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return new SendOutcome.Accepted(response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null);
                }

                var status = (int)response.StatusCode;
                if (status != 429 && status < 500)
                {
                    return new SendOutcome.Permanent($"SendGrid refused the email: {status} {response.StatusCode}: {await Describe(response)}");
                }

                outcome = new SendOutcome.Transient($"SendGrid answered {status} {response.StatusCode}");
                wait = RetryAfter(response, settings);
                LogTransient(logger, email.Category, status, attempt);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                outcome = new SendOutcome.Transient($"SendGrid could not be reached: {ex.GetType().Name}");
                LogTransient(logger, email.Category, 0, attempt);
            }

            var delay = RetryDelays.Clamp(wait ?? RetryDelays.Backoff(attempt), settings.MaxRetryDelay);
            if (attempt < settings.MaxAttempts && time.GetElapsedTime(started) + delay + settings.Timeout <= settings.SendBudget)
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            else
            {
                break;
            }
        }

        return outcome;
    }

    private static SendGridMessage Message(OutgoingEmail email, SendGridOptions settings)
    {
        var message = MailHelper.CreateSingleEmail(
            new EmailAddress(settings.FromAddress, settings.FromName), new EmailAddress(email.To), email.Subject, email.TextBody, email.HtmlBody);
        message.AddCustomArg("crimeReference", email.CrimeReference);
        message.AddCustomArg("victimId", email.VictimId);
        message.AddCategory(email.Category);
        message.SetClickTracking(false, false);
        message.SetOpenTracking(false);
        message.SetSandBoxMode(settings.SandboxMode);
        return message;
    }

    private TimeSpan? RetryAfter(Response response, SendGridOptions settings)
    {
        if (RetryDelays.RetryAfter(response.Headers, time.GetUtcNow()) is { } retryAfter)
        {
            return retryAfter;
        }

        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetAt))
        {
            return DateTimeOffset.FromUnixTimeSeconds(resetAt) - time.GetUtcNow();
        }

        return response.StatusCode == HttpStatusCode.TooManyRequests ? settings.MaxRetryDelay : null;
    }

    private static async Task<string> Describe(Response response)
    {
        var body = await response.Body.ReadAsStringAsync();
        return body.Length > 500 ? body[..500] : body;
    }

    // No ids here (the caller logs them, redacted) and never SendGrid's answer: only what kind of email and the status.
    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid did not accept an email of category {Category} (status {Status}, attempt {Attempt}); retrying")]
    private static partial void LogTransient(ILogger logger, string category, int status, int attempt);
}
