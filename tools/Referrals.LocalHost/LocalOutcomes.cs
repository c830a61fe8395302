using System.Security.Cryptography;
using Referrals.Rules;

namespace Referrals.LocalHost;

/// <summary>The outcome API on a local run: a secret for each service with an API (this run only), and a signed curl example to try it with.</summary>
public static class LocalOutcomes
{
    /// <summary>A new secret for each service the directory reaches by API, as settings and as the stand-in's lookup.</summary>
    public static Dictionary<string, string> Secrets(string directoryPath) =>
        ServiceDirectory.Load(directoryPath).Services.Where(s => s.Referral.Channel == "Http")
            .ToDictionary(s => s.Id, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), StringComparer.Ordinal);

    public static void AddTo(IDictionary<string, string?> settings, IReadOnlyDictionary<string, string> secrets)
    {
        foreach (var (service, secret) in secrets)
        {
            settings[$"Outcomes:Services:{service}:Secret"] = secret;
        }
    }

    /// <summary>A bash example: a GET of one referral's status, signed as the service (openssl and sha256sum, as on most machines).</summary>
    public static string CurlExample(string url, string service, string secret, string publicId)
    {
        var path = new Uri(url).AbsolutePath;
        return string.Join('\n',
            $"  secret='{secret}'; query='referralId={publicId}'; ts=$(date +%s)",
            $"  sig=$(printf 'GET\\n{path}\\n%s\\n%s\\n%s' \"$query\" \"$ts\" \"$(printf '' | sha256sum | cut -d' ' -f1)\" | openssl dgst -sha256 -hmac \"$secret\" | sed 's/^.* //')",
            $"  curl -s \"{url}?$query\" -H 'X-Referrals-Service: {service}' -H \"X-Referrals-Timestamp: $ts\" -H \"X-Referrals-Signature: v1=$sig\"");
    }
}
