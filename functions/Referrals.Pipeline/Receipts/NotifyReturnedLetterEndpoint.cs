using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// <c>POST /api/webhooks/notify-returned-letter</c>: GOV.UK Notify's returned-letter callback (docs/receipts.md), with its
/// own bearer token (compared in constant time). Checked and answered as the delivery-receipt callback is
/// (<see cref="NotifyCallbackEndpoint"/>): 401, 400 or 409 change nothing; otherwise the letter it names fails for good
/// after all, and the plan goes on to the next safe channel or a ContactNeeded task. Nothing of the body is logged.
/// </summary>
public sealed partial class NotifyReturnedLetterEndpoint(
    IReceiptSink sink, IOptions<ReceiptOptions> options, PipelineMetrics metrics, ILogger<NotifyReturnedLetterEndpoint> logger)
{
    private const string Provider = "notify-returned-letter";

    public const string Route = "webhooks/notify-returned-letter";

    private readonly BearerToken _token = new(options.Value.NotifyReturnedLetterBearerToken);

    public async Task<EndpointResponse> HandleAsync(Stream body, long? declaredLength, Func<string, string?> header, CancellationToken cancellationToken)
    {
        var check = _token.Check(header("Authorization"));
        if (check != RequestCheck.Valid)
        {
            LogUnauthorized(logger, check);
            return ReceiptResults.Refused(metrics, Provider, $"unauthorized-{check.ToString().ToLowerInvariant()}", ReceiptBody.Unauthorized());
        }

        if (await ReceiptBody.ReadAsync(body, declaredLength, cancellationToken) is not { } bytes)
        {
            return ReceiptResults.Refused(metrics, Provider, "too-large", ReceiptBody.BadRequest("The body is larger than 1 MiB."));
        }

        var parsed = NotifyReturnedLetters.Parse(bytes);
        if (parsed.Value is not { } report)
        {
            LogBadBody(logger, parsed.Problem!);
            return ReceiptResults.Refused(metrics, Provider, "bad-body", ReceiptBody.BadRequest(parsed.Problem!));
        }

        var counts = await ReceiptResults.TryApplyAsync(sink, metrics, Provider, report.Receipt is { } receipt ? [receipt] : [], report.Ignored is { } ignored ? [ignored] : [],
            type => LogNotApplied(logger, type), cancellationToken);
        return counts is null ? ReceiptBody.TryAgain()
            : counts.Mismatched > 0 ? ReceiptBody.Conflict("The reference names a message of this service, but the notification_id is not that letter's: nothing changed.")
            : ReceiptBody.Ok(counts);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify returned-letter callback refused: bearer token {Check}; nothing changed")]
    private static partial void LogUnauthorized(ILogger logger, RequestCheck check);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notify returned-letter callback not applied ({ExceptionType}): answered 500 so the provider sends it again")]
    private static partial void LogNotApplied(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify returned-letter callback refused: {Problem}; nothing changed")]
    private static partial void LogBadBody(ILogger logger, string problem);
}
