using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;

/// <summary>An HTTP answer, independent of the host serving it (the Functions app, or the local loopback listener).</summary>
/// <param name="FileName">For a download: the name the browser saves it under (Content-Disposition).</param>
public sealed record EndpointResponse(int Status, string ContentType, byte[] Body, string? FileName = null)
{
    /// <summary>For a redirect (302, 303): where to, a path on this site.</summary>
    public string? Location { get; init; }

    /// <summary>A Set-Cookie header value (the worklist's anti-forgery cookie).</summary>
    public string? SetCookie { get; init; }

    /// <summary>For a 429 or 503: the seconds to wait before trying again (Retry-After).</summary>
    public int? RetryAfter { get; init; }
}

/// <summary>
/// <c>GET /api/tallies?from=yyyy-MM&amp;to=yyyy-MM</c> or <c>?quarter=2026-27-Q3</c>, with <c>format=json|csv|csv-long</c>
/// (or <c>Accept: text/csv</c>), <c>view=compliance</c>, <c>suppressBelow=N</c>: the monthly tallies, each month with when it
/// was counted and whether it is final. Aggregates only; never a victim. A bad request gets 400 with the reason.
/// </summary>
public sealed class TalliesEndpoint(TallyStore store, Microsoft.Extensions.Options.IOptions<Configuration.TalliesOptions> options, Microsoft.Extensions.Options.IOptions<Configuration.ForceOptions> force)
{
    public const string Route = "tallies";

    /// <summary>The largest threshold of small-count suppression: above it, most figures of a force would be hidden.</summary>
    public const int MaxSuppressBelow = 100;

    /// <param name="unsuppressed">
    /// The reader carries the unsuppressed app role (<see cref="SignIn.SignInGate.Unsuppressed"/>): it gets the threshold it
    /// asks for, none included. Every other reader gets at least <see cref="Configuration.TalliesOptions.SuppressBelow"/>,
    /// whatever it asks for: suppression is the server's, never the caller's.
    /// </param>
    public async Task<EndpointResponse> HandleAsync(NameValueCollection query, string? accept, bool unsuppressed, CancellationToken cancellationToken)
    {
        var format = query["format"]?.ToLowerInvariant() ?? (accept?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true ? "csv" : "json");
        if (format is not ("json" or "csv" or "csv-long"))
        {
            return Problem("'format' must be json or csv (wide), or csv-long (month,category,service,value).");
        }

        var compliance = query["view"] switch
        {
            null or "" or "tallies" => false,
            "compliance" => true,
            _ => (bool?)null,
        };
        if (compliance is null || (compliance == true && format == "csv-long"))
        {
            return Problem("'view' must be tallies or compliance; the compliance view is JSON or csv.");
        }

        if (!TryParseSuppression(query["suppressBelow"], out var below))
        {
            return Problem($"'suppressBelow' must be a whole number from 2 to {MaxSuppressBelow} (figures below it are shown as <N), or 0 for none.");
        }

        if (RangeOf(query, out var quarter, out var error) is not { } range)
        {
            return Problem(error!);
        }

        if (!unsuppressed)
        {
            below = Math.Max(below, options.Value.SuppressBelow);
        }

        var report = (await store.ReadAsync(range, cancellationToken)).Publish(below, quarter, force.Value.Name is { Length: > 0 } name ? name : null);
        var file = $"tallies-{quarter ?? $"{range.From}-to-{range.To}"}";
        return (compliance.Value, format) switch
        {
            (true, "csv") => new EndpointResponse(200, "text/csv; charset=utf-8", ComplianceView.ToCsv(report), $"compliance-{quarter ?? $"{range.From}-to-{range.To}"}.csv"),
            (true, _) => new EndpointResponse(200, "application/json; charset=utf-8", ComplianceView.ToJson(report)),
            (_, "csv") => new EndpointResponse(200, "text/csv; charset=utf-8", report.ToCsv(), $"{file}.csv"),
            (_, "csv-long") => new EndpointResponse(200, "text/csv; charset=utf-8", report.ToLongCsv(), $"{file}-long.csv"),
            _ => new EndpointResponse(200, "application/json; charset=utf-8", report.ToJson()),
        };
    }

    /// <summary>The months asked for: a financial quarter, or from and to.</summary>
    public static MonthRange? RangeOf(NameValueCollection query, out string? quarter, out string? error)
    {
        quarter = null;
        if (query["quarter"] is { } asked)
        {
            if (query["from"] is not null || query["to"] is not null)
            {
                error = "Ask for a 'quarter' or for 'from' and 'to', not both.";
                return null;
            }

            var range = FinancialQuarter.TryParse(asked, out error);
            quarter = range is null ? null : asked;
            return range;
        }

        return MonthRange.TryParse(query["from"], query["to"], out error);
    }

    public static bool TryParseSuppression(string? text, out int below)
    {
        below = 0;
        return string.IsNullOrEmpty(text)
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out below) && (below == 0 || below is >= 2 and <= MaxSuppressBelow));
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Sign-in required",
        403 => "Forbidden",
        503 => "Unavailable",
        _ => "Error",
    };

    public static EndpointResponse Problem(string detail, int status = 400) =>
        new(status, "application/problem+json; charset=utf-8", Encoding.UTF8.GetBytes(
            System.Text.Json.JsonSerializer.Serialize(new { type = "about:blank", title = Title(status), status, detail })));
}
