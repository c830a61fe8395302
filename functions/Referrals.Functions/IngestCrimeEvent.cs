using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Ingest;

namespace Referrals.Functions;

/// <summary>A crime snapshot from the records system: note that it is sending (for the health endpoint), validate, decide, store each victim's state, queue the emails.</summary>
/// <remarks>Not cancelled when the host stops or drains: the work is short, and an abandoned message stays invisible for the listener's 10-minute lease.</remarks>
public sealed class IngestCrimeEvent(SnapshotIngestor ingestor, RecordsSystemPulse recordsSystem)
{
    [Function(nameof(IngestCrimeEvent))]
    public async Task Run(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message)
    {
        await recordsSystem.HeardAsync(CancellationToken.None);
        await ingestor.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
    }
}
