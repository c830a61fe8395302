using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Referrals.StandIns.Services;

/// <summary>
/// What the services' stand-in reports back about the referrals it accepted, as a service would by the outcome API
/// (docs/outcomes.md), signed with its own HMAC (written here from the documented recipe, not shared with the pipeline).
/// A script per referral, read from the document as a service would read it: no usable contact at all → it could not
/// contact the victim (WrongDetails); a consent-pathway victim (domestic abuse, sexual offences) with no contact the force
/// confirmed safe → ContactUnsafe; otherwise it contacts the victim, who accepts its support (or declines it, for a
/// crime reference and victim id whose characters add up to an odd number). A withdrawal closes the referral it names (Closed).
/// </summary>
public sealed class OutcomeReporter
{
    private readonly ConcurrentQueue<(string Service, string PublicId, string[][] Script)> _pending = new();

    /// <summary>The referrals accepted, by service: (service, public id), oldest first.</summary>
    public ConcurrentQueue<(string Service, string PublicId)> Referrals { get; } = new();

    /// <summary>Reports posted and what each request was answered, as (service, HTTP status, reports).</summary>
    public ConcurrentQueue<(string Service, int Status, int Reports)> Posted { get; } = new();

    /// <summary>Takes a referral the stand-in accepted; anything else (withdrawals, notices) reports nothing.</summary>
    public void Accepted(string service, byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.TryGetProperty("kind", out var kind) && kind.GetString() is "Referral" or "Withdrawal" && root.TryGetProperty("publicId", out var id) && id.GetString() is { } publicId)
        {
            var withdrawal = kind.GetString() == "Withdrawal";
            _pending.Enqueue((service, publicId, withdrawal ? [["Closed"]] : Script(root)));
            if (!withdrawal)
            {
                Referrals.Enqueue((service, publicId));
            }
        }
    }

    public static string[][] Script(JsonElement referral)
    {
        var victim = referral.TryGetProperty("victim", out var v) ? v : default;
        bool Has(string name) => victim.ValueKind == JsonValueKind.Object && victim.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String;
        bool True(string name) => victim.ValueKind == JsonValueKind.Object && victim.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.True;
        if (!Has("phone") && !Has("email"))
        {
            return [["Received"], ["ContactAttempted"], ["CouldNotContact", "WrongDetails"]];
        }

        if (!True("phoneSafe") && !True("emailSafe") && referral.TryGetProperty("pathway", out var pathway) && pathway.GetString() == "Consent")
        {
            return [["Received"], ["ContactUnsafe"]];
        }

        var ids = (referral.TryGetProperty("crimeReference", out var crime) ? crime.GetString() : null) + (victim.TryGetProperty("id", out var idValue) ? idValue.GetString() : null);
        var odd = ids.Sum(c => c) % 2 == 1;
        return [["Received"], ["ContactAttempted"], ["Contacted"], [odd ? "SupportDeclined" : "SupportAccepted"]];
    }

    /// <summary>Posts every pending referral's reports to <paramref name="url"/>, one signed request per service; the number of reports posted.</summary>
    /// <param name="secretOf">Each service's secret (null: the service has none, and reports nothing).</param>
    public async Task<int> ReportAsync(string url, Func<string, string?> secretOf, HttpClient http, CancellationToken cancellationToken)
    {
        var batch = new List<(string Service, string PublicId, string[][] Script)>();
        while (_pending.TryDequeue(out var item))
        {
            batch.Add(item);
        }

        var posted = 0;
        foreach (var service in batch.GroupBy(b => b.Service))
        {
            if (secretOf(service.Key) is not { } secret)
            {
                continue;
            }

            var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var reports = service.SelectMany(r => r.Script.Select(s => new { referralId = r.PublicId, status = s[0], reason = s.Length > 1 ? s[1] : null, at })).ToList();
            using var request = SignedRequest(url, service.Key, secret, JsonSerializer.SerializeToUtf8Bytes(new { reports }));
            using var response = await http.SendAsync(request, cancellationToken);
            Posted.Enqueue((service.Key, (int)response.StatusCode, reports.Count));
            posted += reports.Count;
        }

        return posted;
    }

    /// <summary>HMAC-SHA256 over method, path, query, timestamp and the body's SHA-256, as docs/outcomes.md says.</summary>
    public static HttpRequestMessage SignedRequest(string url, string service, string secret, byte[] body)
    {
        var uri = new Uri(url);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var canonical = $"POST\n{uri.AbsolutePath}\n{uri.Query.TrimStart('?')}\n{timestamp}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Referrals-Service", service);
        request.Headers.Add("X-Referrals-Timestamp", timestamp);
        request.Headers.Add("X-Referrals-Signature", "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(canonical))));
        return request;
    }
}
