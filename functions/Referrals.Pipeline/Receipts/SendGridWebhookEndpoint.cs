using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// <c>POST /api/webhooks/sendgrid</c>: SendGrid's signed Event Webhook (docs/receipts.md). A body over
/// 1 MiB or not SendGrid's shape → 400; a missing, forged or stale signature → 401; nothing changes either way. Otherwise
/// each event is applied once (a repeat of an <c>sg_event_id</c> in the batch is dropped; the sink ignores one it has
/// already seen) and the batch is acknowledged with 200, events about messages the pipeline did not send included:
/// SendGrid resends a whole batch on anything but 2xx. Nothing of the body is logged.
/// </summary>
public sealed partial class SendGridWebhookEndpoint(
    IReceiptSink sink, IOptions<ReceiptOptions> options, PipelineMetrics metrics, TimeProvider time, ILogger<SendGridWebhookEndpoint> logger, Contact.RecipientKeys? recipientKeys = null, WebhookHealth? health = null)
{
    private const string Provider = "sendgrid";

    public const string Route = "webhooks/sendgrid";

    private readonly SendGridSignature _signature = new(options.Value.SendGridWebhookPublicKey);

    /// <param name="header">The request's header of that name, or null.</param>
    public async Task<EndpointResponse> HandleAsync(Stream body, long? declaredLength, Func<string, string?> header, CancellationToken cancellationToken)
    {
        if (await ReceiptBody.ReadAsync(body, declaredLength, cancellationToken) is not { } bytes)
        {
            return Refused("too-large", ReceiptBody.BadRequest("The body is larger than 1 MiB."));
        }

        var check = _signature.Check(header(SendGridSignature.SignatureHeader), header(SendGridSignature.TimestampHeader), bytes, time.GetUtcNow());
        if (check != RequestCheck.Valid)
        {
            LogUnauthorized(logger, check);
            return Refused($"unauthorized-{check.ToString().ToLowerInvariant()}", ReceiptBody.Unauthorized());
        }

        // Rulebook 1.2 section 6: the webhook's health, once per signed batch (SendGrid's silence counts only while it answered).
        var answer = await ApplySignedAsync(bytes, cancellationToken);
        await RecordHealthAsync(answer.Status < 300);
        return answer;
    }

    private async Task<EndpointResponse> ApplySignedAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var parsed = SendGridEvents.Parse(bytes, recipientKeys is null ? null : recipientKeys.Of);
        if (parsed.Value is not { } batch)
        {
            LogBadBody(logger, parsed.Problem!);
            return Refused("bad-body", ReceiptBody.BadRequest(parsed.Problem!));
        }

        if (await ApplyAsync(batch.Receipts, batch.Ignored, cancellationToken) is not { } counts)
        {
            return ReceiptBody.TryAgain();
        }

        LogAccepted(logger, batch.Receipts.Count, counts.Applied, batch.Ignored.Count + counts.Unknown);
        return ReceiptBody.Ok(counts);
    }

    /// <summary>Never fails the request: a health not recorded only makes silence unprovable for that hour.</summary>
    private async Task RecordHealthAsync(bool answered)
    {
        try
        {
            await (health?.RecordAsync(answered, time.GetUtcNow(), CancellationToken.None) ?? Task.CompletedTask);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or OperationCanceledException)
        {
            LogHealthNotRecorded(logger, ex.GetType().Name);
        }
    }

    private Task<ReceiptCounts?> ApplyAsync(IReadOnlyList<Receipt> receipts, IReadOnlyList<IgnoredEvent> ignored, CancellationToken cancellationToken) =>
        ReceiptResults.TryApplyAsync(sink, metrics, Provider, receipts, ignored, type => LogNotApplied(logger, type), cancellationToken, ReceiptResults.BatchConcurrency);

    private EndpointResponse Refused(string why, EndpointResponse response) => ReceiptResults.Refused(metrics, Provider, why, response);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid webhook's health not recorded ({ExceptionType}): silence about an unknown email cannot be counted for this hour")]
    private static partial void LogHealthNotRecorded(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid webhook refused: signature {Check}; nothing changed")]
    private static partial void LogUnauthorized(ILogger logger, RequestCheck check);

    [LoggerMessage(Level = LogLevel.Error, Message = "SendGrid webhook not applied ({ExceptionType}): answered 500 so the provider sends it again")]
    private static partial void LogNotApplied(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid webhook refused: {Problem}; nothing changed")]
    private static partial void LogBadBody(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "SendGrid webhook: {Receipts} receipts, {Applied} applied, {Ignored} ignored")]
    private static partial void LogAccepted(ILogger logger, int receipts, int applied, int ignored);
}
