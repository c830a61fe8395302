using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Messages;

namespace Referrals.Pipeline.Storage;

/// <summary>The queues side effects are handed to, so a slow or failing dependency never blocks ingest.</summary>
public sealed class WorkQueues(StorageClients clients, IOptions<PipelineOptions> options)
{
    public Task EnqueueMessageAsync(MessageWorkItem item, CancellationToken cancellationToken) =>
        clients.Queues.GetQueueClient(options.Value.MessageQueue).SendMessageAsync(item.ToJson(), cancellationToken);

    public Task EnqueueReferralAsync(ReferralWorkItem item, CancellationToken cancellationToken) =>
        clients.Queues.GetQueueClient(options.Value.ReferralQueue).SendMessageAsync(item.ToJson(), cancellationToken);

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in options.Value.Queues)
        {
            await clients.Queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await clients.Queues.GetQueueClient(PipelineOptions.PoisonQueueOf(queue)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
