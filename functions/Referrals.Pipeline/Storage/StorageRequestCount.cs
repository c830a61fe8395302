using Azure.Core;
using Azure.Core.Pipeline;

namespace Referrals.Pipeline.Storage;

/// <summary>Counts every request the storage clients send (retries included): a command can say what it cost, and a test can hold it to a bound.</summary>
public sealed class StorageRequestCount : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
