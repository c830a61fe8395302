using Azure.Data.Tables;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The local Azurite seeks a query's partition as Azure does (Azurite.Seek in Referrals.LocalHost) and answers exactly
/// what it answered before: every filter here against the rows as C# compares keys (ordinal, as Azure and Azurite do),
/// with partition keys that LokiJS, under Azurite, would order as numbers.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzuriteSeekTests(AzuriteFixture azurite)
{
    private static readonly string[] Partitions =
    [
        "", "0", "1", "1.0", "01", "10", "9", "-5", "+7", "1e3", " 2", "2 ", "Infinity", "-Infinity", "0x1A", "0b1", "NaN",
        "2026-11-03", "2026-12-00", "2026-12-05", "2026-12-15", "2027-01-00", "2026-12", "a", "ab", "b", "crime%2F1", "crime%2F10",
        "cursor", "é", "z~", "~",
    ];

    private static readonly string[] PagedPartitions = ["2026-12-03", "2026-12-04", "2026-12-05"];

    [Fact]
    public async Task The_partition_seek_is_in_place_and_answers_every_filter_as_a_full_read_would()
    {
        Assert.True(azurite.PartitionSeek, "the table service was started without the partition seek");
        var table = new TableClient(azurite.ConnectionString, $"seek{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        var rows = Partitions.SelectMany(p => Enumerable.Range(0, 3).Select(i => (PartitionKey: p, RowKey: $"r{i}"))).ToList();
        foreach (var partition in rows.GroupBy(r => r.PartitionKey))
        {
            await table.SubmitTransactionAsync(partition.Select(r => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(r.PartitionKey, r.RowKey) { ["N"] = int.Parse(r.RowKey[1..], System.Globalization.CultureInfo.InvariantCulture) })));
        }

        var filters = new List<(string Filter, Func<string, string, bool> Expected)>();
        foreach (var p in Partitions)
        {
            filters.Add(($"PartitionKey eq {Quote(p)}", (pk, _) => pk == p));
            filters.Add(($"{Quote(p)} eq PartitionKey and RowKey ge 'r1'", (pk, rk) => pk == p && Ordinal(rk, "r1") >= 0));
            filters.Add(($"(PartitionKey eq {Quote(p)}) and (N lt 2)", (pk, rk) => pk == p && rk != "r2"));
        }

        foreach (var low in Partitions)
        {
            foreach (var high in Partitions)
            {
                filters.Add(($"PartitionKey ge {Quote(low)} and PartitionKey le {Quote(high)}", (pk, _) => Ordinal(pk, low) >= 0 && Ordinal(pk, high) <= 0));
                filters.Add(($"PartitionKey gt {Quote(low)} and {Quote(high)} gt PartitionKey", (pk, _) => Ordinal(pk, low) > 0 && Ordinal(pk, high) < 0));
            }
        }

        filters.Add(("PartitionKey eq '1' or PartitionKey eq 'a'", (pk, _) => pk is "1" or "a"));
        filters.Add(("not (PartitionKey eq '1')", (pk, _) => pk != "1"));
        filters.Add(("PartitionKey ge '2026-12-00' and PartitionKey le '2026-12-15' and RowKey eq 'r0'", (pk, rk) => Ordinal(pk, "2026-12-00") >= 0 && Ordinal(pk, "2026-12-15") <= 0 && rk == "r0"));

        var wrong = new List<string>();
        foreach (var (filter, expected) in filters)
        {
            var answer = await table.QueryAsync<TableEntity>(filter).Select(e => (e.PartitionKey, e.RowKey)).ToListAsync();
            var want = rows.Where(r => expected(r.PartitionKey, r.RowKey)).OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).ToList();
            if (!answer.SequenceEqual(want))
            {
                wrong.Add($"{filter}: {answer.Count} rows, expected {want.Count}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        Assert.True(filters.Count > 2000, "a filter for every partition and every pair of bounds");
    }

    [Fact]
    public async Task A_sought_partition_larger_than_a_page_comes_back_whole_in_order_across_pages()
    {
        var table = new TableClient(azurite.ConnectionString, $"seekpage{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        foreach (var partition in PagedPartitions)
        {
            foreach (var batch in Enumerable.Range(0, 1100).Chunk(100))
            {
                await table.SubmitTransactionAsync(batch.Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, $"r{i:D5}"))));
            }
        }

        var one = await table.QueryAsync<TableEntity>("PartitionKey eq '2026-12-04'").Select(e => e.RowKey).ToListAsync();
        var two = await table.QueryAsync<TableEntity>("PartitionKey ge '2026-12-04' and PartitionKey le '2026-12-05'").Select(e => $"{e.PartitionKey}/{e.RowKey}").ToListAsync();

        Assert.Equal(Enumerable.Range(0, 1100).Select(i => $"r{i:D5}"), one);
        Assert.Equal(PagedPartitions[1..].SelectMany(p => Enumerable.Range(0, 1100).Select(i => $"{p}/r{i:D5}")), two);
    }

    private static int Ordinal(string a, string b) => string.CompareOrdinal(a, b);

    private static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
