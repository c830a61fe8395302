using System.Text;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;

/// <summary>An HTTP answer, independent of the host serving it (the Functions app, or the local loopback listener).</summary>
public sealed record EndpointResponse(int Status, string ContentType, byte[] Body);

/// <summary>
/// <c>GET /api/tallies?from=yyyy-MM&amp;to=yyyy-MM[&amp;format=csv]</c>: the monthly tallies as JSON, or CSV when asked
/// (<c>format=csv</c> or <c>Accept: text/csv</c>). Aggregates only; never a victim. A bad request gets 400 with the reason.
/// </summary>
public sealed class TalliesEndpoint(TallyStore store)
{
    public const string Route = "tallies";

    public async Task<EndpointResponse> HandleAsync(string? from, string? to, string? format, string? accept, CancellationToken cancellationToken)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || (format is null && accept?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true);
        if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem("'format' must be json or csv.");
        }

        if (MonthRange.TryParse(from, to, out var error) is not { } range)
        {
            return Problem(error!);
        }

        var report = await store.ReadAsync(range, cancellationToken);
        return csv
            ? new EndpointResponse(200, "text/csv; charset=utf-8", report.ToCsv())
            : new EndpointResponse(200, "application/json; charset=utf-8", report.ToJson());
    }

    private static EndpointResponse Problem(string detail) =>
        new(400, "application/problem+json; charset=utf-8", Encoding.UTF8.GetBytes(
            System.Text.Json.JsonSerializer.Serialize(new { type = "about:blank", title = "Bad request", status = 400, detail })));
}
