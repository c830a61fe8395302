using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Ingest;

namespace Referrals.Functions;

/// <summary>A crime snapshot from the records system: validate, decide, store each victim's state, queue the emails.</summary>
/// <remarks>Not cancelled when the host stops or drains: the work is short, and an abandoned message stays invisible for the listener's 10-minute lease.</remarks>
public sealed class IngestCrimeEvent(SnapshotIngestor ingestor)
{
    [Function(nameof(IngestCrimeEvent))]
    public Task Run(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        ingestor.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
}
