using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Referrals.Pipeline;

/// <summary>
/// Counts what the pipeline does, as .NET metrics (exported to Application Insights in Azure) and as
/// totals the local run prints. Tags carry decisions and reasons only, never personal data.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "Referrals.Pipeline";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _events;
    private readonly Gauge<long> _waiting;
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public PipelineMetrics()
    {
        _events = _meter.CreateCounter<long>("referrals.events", description: "Snapshots, emails and dead letters, by what happened.");
        _waiting = _meter.CreateGauge<long>("referrals.deadletters.waiting", description: "Messages waiting for an operator, by store: alert when above zero.");
    }

    public void Count(string what, string? detail = null)
    {
        _events.Add(1, new KeyValuePair<string, object?>("what", what), new KeyValuePair<string, object?>("detail", detail));
        _totals.AddOrUpdate(detail is null ? what : $"{what}:{detail}", 1, (_, n) => n + 1);
    }

    public void Waiting(string store, long count) =>
        _waiting.Record(count, new KeyValuePair<string, object?>("store", store));

    public long Total(string key) => _totals.GetValueOrDefault(key);

    public void Dispose() => _meter.Dispose();
}
