using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The writes a webhook batch's receipts share, held until the batch's end (issue 29): the recipient index's address rows,
/// which live in a partition per day of delivery, so the batch writes each day's in transactions of up to 100 where one
/// receipt alone writes one row. Thread-safe: the batch applies several messages at once.
/// </summary>
public sealed class ReceiptBatch
{
    private readonly ConcurrentDictionary<(string Partition, string Row), TableEntity> _rows = new();

    internal void Add(TableEntity row) => _rows[(row.PartitionKey, row.RowKey)] = row;

    internal void Remove(string partition, string row) => _rows.TryRemove((partition, row), out _);

    /// <summary>The rows held now whose row key starts with <paramref name="prefix"/> (a bounce of the batch looking for its delivery).</summary>
    internal List<TableEntity> Held(string prefix) => [.. _rows.Values.Where(r => r.RowKey.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>The rows held, taken out: each partition's in groups of up to <paramref name="size"/>.</summary>
    internal List<TableEntity[]> Take(int size)
    {
        var rows = _rows.Values.ToList();
        _rows.Clear();
        return [.. rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(p => p.Chunk(size))];
    }
}
