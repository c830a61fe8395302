using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Referrals.LocalHost;

/// <summary>
/// Counts every request the pipeline's storage clients send (retries included), by kind: method, table or queue, and
/// "query" when it carries a filter; a transaction is "POST $batch".
/// </summary>
public sealed class RequestKinds : HttpPipelineSynchronousPolicy
{
    public ConcurrentDictionary<string, int> Kinds { get; } = new(StringComparer.Ordinal);

    public long Count => Kinds.Values.Sum(n => (long)n);

    public void Reset() => Kinds.Clear();

    /// <summary>The kinds, most frequent first, each as "count kind" divided by <paramref name="per"/>.</summary>
    public IEnumerable<(string Kind, double Per)> PerEach(int per) =>
        Kinds.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, (double)k.Value / Math.Max(1, per)));

    public override void OnSendingRequest(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        var path = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var target = path.Length > 1 ? path[1].Split('(')[0] : "?";
        Kinds.AddOrUpdate($"{message.Request.Method} {target}{(uri.Query.Contains("filter", StringComparison.Ordinal) ? " query" : string.Empty)}", 1, (_, n) => n + 1);
    }
}
