using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Referrals.Functions.Telemetry;

/// <summary>Where the pipeline's metrics go: the same two settings the Functions host reads for its own telemetry.</summary>
public sealed class MetricsExportOptions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Application Insights' connection string; empty (locally): metrics are not exported.</summary>
    [ConfigurationKeyName(ConnectionStringSetting)]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>Authorization=AAD;ClientId=…</c>: telemetry is sent as that user-assigned managed identity (Application
    /// Insights has local auth off, so an instrumentation key alone is refused). <c>Authorization=AAD</c> alone: the
    /// system-assigned identity. Empty: instrumentation-key auth, for local use only.
    /// </summary>
    [ConfigurationKeyName(AuthenticationStringSetting)]
    public string? AuthenticationString { get; set; }

    public bool AuthenticationIsValid => string.IsNullOrWhiteSpace(AuthenticationString) || Authentication() is not null;

    /// <summary>The credential the exporter signs in with, or null for instrumentation-key auth.</summary>
    public TokenCredential? Credential()
    {
        if (string.IsNullOrWhiteSpace(AuthenticationString))
        {
            return null;
        }

        var clientId = Authentication() ?? throw new InvalidOperationException($"{AuthenticationStringSetting} must read Authorization=AAD;ClientId=<client id>");
        return new ManagedIdentityCredential(clientId.Length == 0 ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
    }

    /// <summary>The client id ("" for the system-assigned identity), or null when the string is not Entra auth.</summary>
    private string? Authentication()
    {
        var parts = (AuthenticationString ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToList();
        if (parts.Any(part => part.Length != 2) || parts.GroupBy(part => part[0], StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
        {
            return null;
        }

        var values = parts.ToDictionary(part => part[0], part => part[1], StringComparer.OrdinalIgnoreCase);
        var aad = values.TryGetValue("Authorization", out var authorization) && string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase);
        var known = values.Keys.All(key => key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || key.Equals("ClientId", StringComparison.OrdinalIgnoreCase));
        return aad && known ? values.GetValueOrDefault("ClientId", string.Empty) : null;
    }
}
