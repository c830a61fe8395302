using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// <c>POST /api/webhooks/notify</c>: GOV.UK Notify's delivery-receipt callback. No bearer token, or another one
/// (compared in constant time) → 401; a body over 1 MiB or not Notify's shape → 400; nothing changes either way.
/// Otherwise the receipt is applied and acknowledged with 200, one about a message the pipeline did not send
/// included. Nothing of the body (which holds the phone number) is logged.
/// </summary>
public sealed partial class NotifyCallbackEndpoint(
    IReceiptSink sink, IOptions<ReceiptOptions> options, PipelineMetrics metrics, ILogger<NotifyCallbackEndpoint> logger)
{
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

        var counts = await ReceiptResults.ApplyAsync(
            sink, metrics, "notify", report.Receipt is { } receipt ? [receipt] : [], report.Ignored is { } ignored ? [ignored] : [], cancellationToken);
        return ReceiptBody.Ok(counts);
    }

    private EndpointResponse Refused(string why, EndpointResponse response)
    {
        metrics.Count("receipt", $"notify:{why}");
        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify callback refused: bearer token {Check}; nothing changed")]
    private static partial void LogUnauthorized(ILogger logger, RequestCheck check);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notify callback refused: {Problem}; nothing changed")]
    private static partial void LogBadBody(ILogger logger, string problem);
}
