using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.LocalHost;

/// <summary>Watches the pipeline's queues until every message has been handled.</summary>
public static class PipelineProbe
{
    /// <summary>Waits until the pipeline's queues stay empty for a moment (in-flight messages count as present).</summary>
    public static async Task<bool> WaitUntilIdleAsync(StorageClients clients, PipelineOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var quietPolls = 0;
        while (DateTime.UtcNow < deadline)
        {
            var pending = 0;
            foreach (var queue in options.Queues)
            {
                var client = clients.Queues.GetQueueClient(queue);
                pending += (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            }

            quietPolls = pending == 0 ? quietPolls + 1 : 0;
            if (quietPolls >= 3)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        }

        return false;
    }
}
