using System.Net.Http.Headers;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Referrals.Rules;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// How the pipeline proves itself to each service's API. API keys are read once at start-up from the app settings
/// the directory names (Key Vault references in Azure), so a missing key stops the app naming the service;
/// Entra ID tokens come from the app's identity and are cached by Azure.Identity.
/// </summary>
public sealed class ServiceCredentials
{
    private readonly Dictionary<string, string> _apiKeys = new(StringComparer.Ordinal);
    private readonly TokenCredential _tokens;

    public ServiceCredentials(ServiceDirectory directory, IConfiguration configuration, TokenCredential tokens)
    {
        _tokens = tokens;
        var channels = directory.Services.Select(s => (Name: $"service '{s.Id}'", s.Referral))
            .Append(("victimCareUnit", directory.VictimCareUnit.Referral));
        foreach (var (name, channel) in channels)
        {
            if (channel.Auth?.ApiKeySetting is { } setting)
            {
                var key = configuration[setting.Replace("__", ":", StringComparison.Ordinal)];
                _apiKeys[setting] = string.IsNullOrWhiteSpace(key)
                    ? throw new InvalidOperationException($"The services directory's {name} authenticates with the API key in app setting '{setting}', which is not set.")
                    : key;
            }
        }
    }

    public async Task ApplyAsync(HttpRequestMessage request, ReferralAuth auth, CancellationToken cancellationToken)
    {
        if (auth.EntraScope is { } scope)
        {
            var token = await _tokens.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }
        else
        {
            request.Headers.Add(auth.ApiKeyHeader!, _apiKeys[auth.ApiKeySetting!]);
        }
    }
}
