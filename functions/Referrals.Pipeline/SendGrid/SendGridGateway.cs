using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Referrals.Contact;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Messages;
using Referrals.State;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Referrals.Pipeline.SendGrid;

/// <summary>An email for SendGrid: identifiers go in custom_args and the category, never personal data.</summary>
/// <param name="Token">An entitlement email's send token (issue 22, <see cref="MessageToken"/>): then it is the email's only
/// custom arg and its Message-ID, and the crime reference and victim id do not leave; none (a secure email to a service, or
/// a gateway without a key): the crime reference and victim id are the custom args, as before.</param>
public sealed record OutgoingEmail(string To, string Subject, string TextBody, string? HtmlBody, string Category, string CrimeReference, string VictimId, string? ContentLanguage = null, string? Token = null);

/// <summary>
/// Sends through the SendGrid client. Only answers that say the email was not accepted (429, 503, a connection that
/// could not be made) are retried, with backoff that honours Retry-After and X-RateLimit-Reset within the cap
/// (<see cref="HttpRetries"/>); SendGrid's own retry handler never retries 429 and is not used. Redirects are not
/// followed (the handler, <see cref="PipelineServices.OutboundHandler"/>). Identifiers go in custom_args; nothing
/// personal goes in categories; click and open tracking are off. The entitlement emails' gateway, and the secure
/// emails' to services.
/// </summary>
/// <param name="tokens">The key of the entitlement emails' send tokens (issue 22); none (tests of the gateway alone): the readable custom args.</param>
public sealed partial class SendGridGateway(HttpClient http, IOptions<SendGridOptions> options, TimeProvider time, ILogger<SendGridGateway> logger, MessageToken? tokens = null) : IMessageGateway
{
    // Built once: the options are fixed at start-up, and one client is shared by every concurrent send.
    private readonly SendGridClient _client = new(http, string.IsNullOrEmpty(options.Value.Host)
        ? new SendGridClientOptions { ApiKey = options.Value.ApiKey }
        : new SendGridClientOptions { ApiKey = options.Value.ApiKey, Host = options.Value.Host });

    private readonly ResiliencePipeline<HttpTry<SendOutcome>> _retries = HttpRetries.Pipeline<SendOutcome>(options.Value.MaxAttempts, options.Value.MaxRetryDelay, time);

    public IReadOnlyList<Channel> Channels { get; } = [Channel.Email];

    public TimeSpan ClaimLease => options.Value.ClaimLease;

    /// <summary>An entitlement email, with its send's token as its only custom arg and its Message-ID.</summary>
    public Task<SendOutcome> SendAsync(IEntitlementMessage message, int attempt, CancellationToken cancellationToken) =>
        SendAsync((EntitlementEmail)message, cancellationToken, attempt);

    public Task<SendOutcome> SendAsync(EntitlementEmail email, CancellationToken cancellationToken, int attempt = 1) =>
        SendAsync(new OutgoingEmail(email.To, email.Subject, email.TextBody, email.HtmlBody, Referrals.Receipts.SendGridEvents.EntitlementCategory, email.CrimeReference, email.VictimId, email.ContentLanguage,
            tokens?.Seal(new MessageSend(email.CrimeReference, email.VictimId, Channel.Email, attempt))), cancellationToken);

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = Message(email, settings);
        return await HttpRetries.SendWithinBudgetAsync(_retries, settings, time, (attempt, token) => TryOnceAsync(email, message, settings, attempt, token), cancellationToken);
    }

    private async Task<HttpTry<SendOutcome>> TryOnceAsync(OutgoingEmail email, SendGridMessage message, SendGridOptions settings, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.SendEmailAsync(message, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new(new SendOutcome.Accepted(response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null), false);
            }

            if (status is >= 300 and < 400)
            {
                return new(new SendOutcome.Permanent($"SendGrid answered with a redirect ({status}); redirects are not followed, so nothing was sent elsewhere"), false);
            }

            if (status is 429 or 503)
            {
                var retryAfter = RetryAfter(response, settings);
                LogTransient(logger, email.Category, status, attempt);
                return new(new SendOutcome.Transient(HttpRetries.Beyond(retryAfter, settings.MaxRetryDelay)
                    ? $"SendGrid answered {status} {response.StatusCode} and asked to wait longer than SendGrid__MaxRetryDelay: the queue tries again later"
                    : $"SendGrid answered {status} {response.StatusCode}"), true, retryAfter);
            }

            if (status >= 500)
            {
                return new(new SendOutcome.Unknown($"SendGrid answered {status} {response.StatusCode}, so it may have accepted the email"), false);
            }

            return new(new SendOutcome.Permanent($"SendGrid refused the email: {status} {response.StatusCode}: {await Describe(response)}"), false);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            // No connection was made, so nothing was sent: safe to try again.
            LogTransient(logger, email.Category, 0, attempt);
            return new(new SendOutcome.Transient($"SendGrid could not be reached ({ex.HttpRequestError}): nothing was sent"), true);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new(new SendOutcome.Unknown($"the call to SendGrid ended without an answer ({ex.GetType().Name}), so it may have accepted the email"), false);
        }
    }

    private static string Domain(string address) => address.LastIndexOf('@') is var at and >= 0 && at < address.Length - 1 ? address[(at + 1)..] : "referrals.invalid";

    private static SendGridMessage Message(OutgoingEmail email, SendGridOptions settings)
    {
        var message = MailHelper.CreateSingleEmail(
            new EmailAddress(settings.FromAddress, settings.FromName), new EmailAddress(email.To), email.Subject, email.TextBody, email.HtmlBody);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (email.Token is { } token)
        {
            // Issue 22: the one opaque token, SendGrid's only custom arg and the Message-ID, so that a receipt finds the send
            // again (an asynchronous bounce by its smtp-id when the custom args are lost); nothing else about the crime or the victim.
            message.AddCustomArg(Referrals.Receipts.SendGridEvents.TokenArg, token);
            headers["Message-ID"] = $"<{token}@{Domain(settings.FromAddress)}>";
        }
        else
        {
            message.AddCustomArg("crimeReference", email.CrimeReference);
            message.AddCustomArg("victimId", email.VictimId);
        }

        message.AddCategory(email.Category);
        if (email.ContentLanguage is { } language)
        {
            // The language of the words (a bilingual email says both), for screen readers and translation tools.
            headers["Content-Language"] = language;
        }

        if (headers.Count > 0)
        {
            message.Headers = headers;
        }

        message.SetClickTracking(false, false);
        message.SetOpenTracking(false);
        message.SetSandBoxMode(settings.SandboxMode);
        return message;
    }

    /// <summary>Retry-After, else X-RateLimit-Reset (a Unix time; one out of range asks for "longer than any cap"), else the cap for a 429.</summary>
    private TimeSpan? RetryAfter(Response response, SendGridOptions settings)
    {
        if (HttpRetries.RetryAfter(response.Headers, time.GetUtcNow()) is { } retryAfter)
        {
            return retryAfter;
        }

        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetAt))
        {
            return resetAt > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? TimeSpan.MaxValue
                : resetAt < DateTimeOffset.MinValue.ToUnixTimeSeconds() ? null
                : DateTimeOffset.FromUnixTimeSeconds(resetAt) - time.GetUtcNow();
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
