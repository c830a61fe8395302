using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Ingest;

namespace Referrals.Functions;

/// <summary>A crime snapshot from the records system: validate, decide, store each victim's state, queue the emails.</summary>
public sealed class IngestCrimeEvent(SnapshotIngestor ingestor)
{
    [Function(nameof(IngestCrimeEvent))]
    public Task Run(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        ingestor.HandleAsync(message.MessageText, message.DequeueCount, cancellationToken);
}
