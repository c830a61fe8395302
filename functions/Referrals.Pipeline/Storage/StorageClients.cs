using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Storage;

/// <summary>
/// Builds the queue and table clients from the same connection setting the triggers use: a connection
/// string (local, Azurite), or identity-based (<c>__queueServiceUri</c>, <c>__tableServiceUri</c>,
/// <c>__credential=managedidentity</c>, <c>__clientId</c>) as the Functions host reads it.
/// </summary>
public sealed class StorageClients
{
    /// <param name="retry">How hard to retry; the pipeline's default when absent (the operator CLI fails faster).</param>
    public StorageClients(IConfiguration configuration, IEnumerable<HttpPipelinePolicy> extraPolicies, StorageRetry? retry = null)
    {
        retry ??= StorageRetry.Pipeline;
        var section = configuration.GetSection(Settings.StorageConnection);
        var policies = extraPolicies.ToList();
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var rawQueueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        var tableOptions = new TableClientOptions();
        foreach (var options in new ClientOptions[] { queueOptions, rawQueueOptions, tableOptions })
        {
            options.Retry.Mode = RetryMode.Exponential;
            options.Retry.MaxRetries = retry.MaxRetries;
            options.Retry.Delay = retry.Delay;
            options.Retry.MaxDelay = retry.MaxDelay;
            options.Retry.NetworkTimeout = retry.NetworkTimeout;
            policies.ForEach(p => options.AddPolicy(p, HttpPipelinePosition.PerRetry));

            // The SDK logs each request's URI, and a table URI holds the row's keys: ids as they are, whatever was
            // typed into them. Storage failures still surface as exceptions; the keys never reach a log.
            options.Diagnostics.IsLoggingEnabled = false;
        }

        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            Queues = new QueueServiceClient(section.Value, queueOptions);
            RawQueues = new QueueServiceClient(section.Value, rawQueueOptions);
            Tables = new TableServiceClient(section.Value, tableOptions);
            return;
        }

        var credential = Credential(section);
        Queues = new QueueServiceClient(RequiredUri(section, "queueServiceUri"), credential, queueOptions);
        RawQueues = new QueueServiceClient(RequiredUri(section, "queueServiceUri"), credential, rawQueueOptions);
        Tables = new TableServiceClient(RequiredUri(section, "tableServiceUri"), credential, tableOptions);
    }

    /// <summary>Sends and receives Base64, as the triggers expect.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>Sends text exactly as given: for replaying a dead letter as it was received.</summary>
    public QueueServiceClient RawQueues { get; }

    public TableServiceClient Tables { get; }

    private static TokenCredential Credential(IConfigurationSection section)
    {
        var clientId = section["clientId"];
        return string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static Uri RequiredUri(IConfigurationSection section, string key) =>
        Uri.TryCreate(section[key], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                $"Storage connection '{Settings.StorageConnection}' is not configured: set it to a connection string, or set {Settings.StorageConnection}__{key} (with __credential and __clientId for a managed identity).");
}

/// <summary>The storage clients' retries: a handler can wait for storage to come back; an operator at a prompt should not.</summary>
public sealed record StorageRetry(int MaxRetries, TimeSpan Delay, TimeSpan MaxDelay, TimeSpan NetworkTimeout)
{
    public static StorageRetry Pipeline { get; } = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(100));
}
