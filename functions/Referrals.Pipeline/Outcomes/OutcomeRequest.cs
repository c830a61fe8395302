using System.Text.Json;
using Referrals.Outcomes;

namespace Referrals.Pipeline.Outcomes;

/// <summary>One report in a POST body, as the service sends it (every field a string; checked by <see cref="OutcomeCsv.Report"/>).</summary>
public sealed record ReportBody(string? ReferralId, string? Status, string? Reason, string? At);

/// <summary>The POST body: <c>{"reports":[{"referralId":"R-…","status":"…","reason":"…","at":"…"}]}</c>.</summary>
public sealed record ReportsBody(IReadOnlyList<ReportBody>? Reports);

/// <summary>What became of one report: its index in the body, the effect, the rule that refused it, and the referral's current status.</summary>
public sealed record ReportAnswer(int Index, string Result, string? Rule, string? Current);

/// <summary>Reading a POST body: its shape or the rule it breaks, never a value from it.</summary>
public static class OutcomeRequest
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 8, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static (IReadOnlyList<ReportBody>? Reports, string? Problem) Parse(byte[] body, int maxReports)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<ReportsBody>(body, Json);
            return parsed?.Reports is not { Count: > 0 } reports ? (null, "Body: a JSON object with a non-empty array \"reports\"")
                : reports.Count > maxReports ? (null, $"TooManyReports: at most {maxReports} reports a request")
                : reports.Any(r => r is null) ? (null, "Body: every report is an object")
                : (reports, null);
        }
        catch (JsonException)
        {
            return (null, "Body: not JSON of the documented shape (docs/outcomes.md)");
        }
    }
}
