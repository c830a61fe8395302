using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Outcomes;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Outcomes;

/// <summary>
/// <c>POST /api/outcomes</c> and <c>GET /api/outcomes?referralId=R-…</c>: a service reports what happened to referrals it
/// received, or reads one's current status (rulebook 1.2 section 11, docs/outcomes.md). The body is read within its bound,
/// then the signature checked (<see cref="OutcomeSignature"/>: 401, saying no more), then the service's rate (429 with
/// Retry-After), then the body's shape (400 naming the rule). Each report is answered by its index: Applied, Repeated,
/// Ignored, Refused with its rule, or NotFound (another service's referral looks exactly like none). Storage failing
/// answers 503, so the service sends the same request again (reports are idempotent). Nothing of a body is logged.
/// </summary>
public sealed partial class OutcomeEndpoint(OutcomeDesk desk, IOptions<OutcomeApiOptions> options, PipelineMetrics metrics, TimeProvider time, ILogger<OutcomeEndpoint> logger)
{
    public const string Route = "outcomes";

    private readonly PartitionedRateLimiter<string> _rate = PartitionedRateLimiter.Create<string, string>(service =>
        RateLimitPartition.GetFixedWindowLimiter(service, _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Value.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public async Task<EndpointResponse> HandleAsync(string method, string path, string query, Stream body, long? declaredLength, Func<string, string?> header, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (method.ToUpperInvariant() is not ("GET" or "POST"))
        {
            return Refused("method", OutcomeBodies.Problem(405, "Method: GET or POST"));
        }

        if (await OutcomeBodies.ReadAsync(body, declaredLength, o.MaxBodyBytes, cancellationToken) is not { } bytes)
        {
            return Refused("too-large", OutcomeBodies.Problem(413, $"TooLarge: a body holds at most {o.MaxBodyBytes} bytes"));
        }

        var service = header(OutcomeSignature.ServiceHeader)?.Trim() ?? string.Empty;
        var secrets = o.Services.TryGetValue(service, out var s) ? [s.Secret, s.NextSecret] : Array.Empty<string?>();
        var check = OutcomeSignature.Check(secrets, method, path, query, header(OutcomeSignature.TimestampHeader), header(OutcomeSignature.SignatureHeader), bytes, time.GetUtcNow(), o.ReplayWindow);
        if (check != SignatureCheck.Valid)
        {
            LogUnauthorized(logger, check);
            return Refused($"unauthorized-{check.ToString().ToLowerInvariant()}", ReceiptBody.Unauthorized());
        }

        using var lease = _rate.AttemptAcquire(service);
        if (!lease.IsAcquired)
        {
            return Refused("rate-limited", OutcomeBodies.Problem(429, "RateLimited: too many requests from this service this minute") with { RetryAfter = 60 });
        }

        try
        {
            return method.Equals("GET", StringComparison.OrdinalIgnoreCase) ? await GetAsync(service, query, cancellationToken) : await PostAsync(service, bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotApplied(logger, ex.GetType().Name);
            metrics.Count("outcome", "not-applied");
            return OutcomeBodies.Problem(503, "TryAgain: the reports could not be recorded now; send the same request again") with { RetryAfter = 5 };
        }
    }

    private async Task<EndpointResponse> GetAsync(string service, string query, CancellationToken cancellationToken)
    {
        var id = OutcomeBodies.QueryValue(query, "referralId");
        if (id is null || await desk.StatusAsync(id, service, cancellationToken) is not var (referral, reports))
        {
            return Refused("not-found", OutcomeBodies.Problem(404, OutcomeRules.UnknownReferral));
        }

        metrics.Count("outcome", "read");
        return OutcomeBodies.Json(200, new
        {
            referralId = referral.PartitionKey,
            status = ServiceReportRule.Current(reports)?.ToString(),
            reason = ServiceReportRule.CurrentReason(reports)?.ToString(),
            reported = reports.FirstReported,
        });
    }

    private async Task<EndpointResponse> PostAsync(string service, byte[] bytes, CancellationToken cancellationToken)
    {
        var (reports, problem) = OutcomeRequest.Parse(bytes, options.Value.MaxReports);
        if (reports is null)
        {
            return Refused("bad-body", OutcomeBodies.Problem(400, problem!));
        }

        var answers = new List<ReportAnswer>();
        foreach (var (item, index) in reports.Select((r, i) => (r, i)))
        {
            var answer = OutcomeCsv.Report(item.Status, item.Reason, item.At ?? string.Empty, time.GetUtcNow(), out var rule) is not { } report
                ? new ReportAnswer(index, nameof(ReportEffect.Refused), rule, null)
                : Answer(index, await desk.ReportAsync(item.ReferralId ?? string.Empty, service, report, $"service:{service}", false, cancellationToken));
            metrics.Count("outcome", answer.Result);
            answers.Add(answer);
        }

        return OutcomeBodies.Json(200, new { results = answers });
    }

    private static ReportAnswer Answer(int index, OutcomeResult result) =>
        new(index, result.NotFound ? "NotFound" : result.Effect!.Value.ToString(), result.Rule, result.Current?.ToString());

    private EndpointResponse Refused(string why, EndpointResponse response)
    {
        metrics.Count("outcome", why);
        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome request refused: signature {Check}; nothing changed")]
    private static partial void LogUnauthorized(ILogger logger, SignatureCheck check);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outcome reports not recorded ({ExceptionType}): answered 503 so the service sends them again")]
    private static partial void LogNotApplied(ILogger logger, string exceptionType);
}
