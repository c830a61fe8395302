using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// <c>POST /api/webhooks/notify</c>: GOV.UK Notify's delivery-receipt callback. No bearer token, or another one
/// (compared in constant time) → 401; a body over 1 MiB or not Notify's shape → 400; a receipt whose reference names
/// one of the pipeline's messages but which is not from it (its <c>notification_type</c> another channel, its
/// <c>id</c> another notification) → 409; nothing changes in any of these. Notify gives up on a callback answered
/// with a 4xx other than 429 and retries only 5xx, 429 and failed connections (docs/receipts.md), so a refusal is
/// never sent again for ever. Otherwise the receipt is applied and acknowledged with 200, one about a message the
/// pipeline did not send included. Nothing of the body (which holds the phone number) is logged.
/// </summary>
public sealed partial class NotifyCallbackEndpoint(
    IReceiptSink sink, IOptions<ReceiptOptions> options, PipelineMetrics metrics, ILogger<NotifyCallbackEndpoint> logger)
{
    private const string Provider = "notify";

    public const string Route = "webhooks/notify";

    private readonly BearerToken _token = new(options.Value.NotifyCallbackBearerToken);

    public async Task<EndpointResponse> HandleAsync(Stream body, long? declaredLength, Func<string, string?> header, CancellationToken cancellationToken)
    {
        // The token first: a caller without it learns nothing, not even whether its body would have been accepted.
        var check = _token.Check(header("Authorization"));
        if (check != RequestCheck.Valid)
        {
            LogUnauthorized(logger, check);
            return Refused($"unauthorized-{check.ToString().ToLowerInvariant()}", ReceiptBody.Unauthorized());
        }

        if (await ReceiptBody.ReadAsync(body, declaredLength, cancellationToken) is not { } bytes)
        {
            return Refused("too-large", ReceiptBody.BadRequest("The body is larger than 1 MiB."));
        }

        var parsed = NotifyReports.ParseCallback(bytes);
        if (parsed.Value is not { } report)
        {
            LogBadBody(logger, parsed.Problem!);
            return Refused("bad-body", ReceiptBody.BadRequest(parsed.Problem!));
        }

        if (await ApplyAsync(report.Receipt is { } receipt ? [receipt] : [], report.Ignored is { } ignored ? [ignored] : [], cancellationToken) is not { } counts)
        {
            return ReceiptBody.TryAgain();
        }

        return counts.Mismatched > 0
            ? ReceiptBody.Conflict("The receipt's reference names a message of this service, but its notification_type or id is not that message's: nothing changed.")
            : ReceiptBody.Ok(counts);
    }

    private Task<ReceiptCounts?> ApplyAsync(IReadOnlyList<Receipt> receipts, IReadOnlyList<IgnoredEvent> ignored, CancellationToken cancellationToken) =>
        ReceiptResults.TryApplyAsync(sink, metrics, Provider, receipts, ignored, type => LogNotApplied(logger, type), cancellationToken);

    private EndpointResponse Refused(string why, EndpointResponse response) => ReceiptResults.Refused(metrics, Provider, why, response);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify callback refused: bearer token {Check}; nothing changed")]
    private static partial void LogUnauthorized(ILogger logger, RequestCheck check);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notify callback not applied ({ExceptionType}): answered 500 so the provider sends it again")]
    private static partial void LogNotApplied(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify callback refused: {Problem}; nothing changed")]
    private static partial void LogBadBody(ILogger logger, string problem);
}
