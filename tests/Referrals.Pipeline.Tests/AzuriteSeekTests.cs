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
            filters.Add(($"PartitionKey eq {Quote(p)} and RowKey gt 'r0' and 'r1' ge RowKey", (pk, rk) => pk == p && rk == "r1"));
            filters.Add(($"PartitionKey eq {Quote(p)} and RowKey lt 'r2' and RowKey eq 'r2'", (_, _) => false));
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
        filters.Add(("PartitionKey ge '1' and PartitionKey le 'b' and RowKey ge 'r1' and RowKey lt 'r2'", (pk, rk) => Ordinal(pk, "1") >= 0 && Ordinal(pk, "b") <= 0 && rk == "r1"));
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
        var rows = await table.QueryAsync<TableEntity>("PartitionKey ge '2026-12-03' and PartitionKey le '2026-12-05' and RowKey gt 'r00099'").Select(e => $"{e.PartitionKey}/{e.RowKey}").ToListAsync();

        Assert.Equal(Enumerable.Range(0, 1100).Select(i => $"r{i:D5}"), one);
        Assert.Equal(PagedPartitions[1..].SelectMany(p => Enumerable.Range(0, 1100).Select(i => $"{p}/r{i:D5}")), two);
        Assert.Equal(PagedPartitions.SelectMany(p => Enumerable.Range(100, 1000).Select(i => $"{p}/r{i:D5}")), rows);
    }

    [Fact]
    public async Task Rows_replaced_merged_deleted_and_rolled_back_are_found_by_their_keys_and_their_partitions_as_written()
    {
        var table = new TableClient(azurite.ConnectionString, $"seekwrite{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        var model = new SortedDictionary<(string, string), int>(Comparer<(string, string)>.Create((a, b) => Ordinal(a.Item1, b.Item1) is var c and not 0 ? c : Ordinal(a.Item2, b.Item2)));
        foreach (var p in new[] { "a", "b", "c" })
        {
            await table.SubmitTransactionAsync(Enumerable.Range(0, 3).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(p, $"r{i}") { ["N"] = i })));
            foreach (var i in Enumerable.Range(0, 3))
            {
                model[(p, $"r{i}")] = i;
            }
        }

        await table.UpdateEntityAsync(new TableEntity("a", "r1") { ["N"] = 10 }, Azure.ETag.All, TableUpdateMode.Replace);
        await table.UpdateEntityAsync(new TableEntity("a", "r2") { ["N"] = 20 }, Azure.ETag.All, TableUpdateMode.Merge);
        await table.UpsertEntityAsync(new TableEntity("a", "r3") { ["N"] = 30 }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("c", "r0") { ["N"] = 40 }, TableUpdateMode.Merge);
        (model[("a", "r1")], model[("a", "r2")], model[("a", "r3")], model[("c", "r0")]) = (10, 20, 30, 40);
        foreach (var i in Enumerable.Range(0, 3))
        {
            await table.DeleteEntityAsync("b", $"r{i}");
            model.Remove(("b", $"r{i}"));
        }

        await table.DeleteEntityAsync("c", "r1");
        model.Remove(("c", "r1"));
        var failed = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpdateReplace, new TableEntity("a", "r0") { ["N"] = 99 }, Azure.ETag.All),
            new(TableTransactionActionType.Delete, new TableEntity("a", "r2"), Azure.ETag.All),
            new(TableTransactionActionType.Add, new TableEntity("a", "r4") { ["N"] = 99 }),
            new(TableTransactionActionType.Add, new TableEntity("a", "r3")),
        ]));
        Assert.Equal(3, failed.FailedTransactionActionIndex);
        await table.AddEntityAsync(new TableEntity("b", "r9") { ["N"] = 9 });
        model[("b", "r9")] = 9;

        foreach (var p in new[] { "a", "b", "c" })
        {
            foreach (var r in new[] { "r0", "r1", "r2", "r3", "r4", "r9" })
            {
                var read = await table.GetEntityIfExistsAsync<TableEntity>(p, r);
                Assert.Equal(model.TryGetValue((p, r), out var n) ? n : null, read.HasValue ? read.Value!.GetInt32("N") : null);
            }

            var partition = await table.QueryAsync<TableEntity>($"PartitionKey eq '{p}'").Select(e => (e.PartitionKey, e.RowKey, e.GetInt32("N") ?? -1)).ToListAsync();
            Assert.Equal(model.Where(m => m.Key.Item1 == p).Select(m => (m.Key.Item1, m.Key.Item2, m.Value)), partition);
        }

        var all = await table.QueryAsync<TableEntity>("PartitionKey ge 'a' and PartitionKey le 'c'").Select(e => (e.PartitionKey, e.RowKey, e.GetInt32("N") ?? -1)).ToListAsync();
        Assert.Equal(model.Select(m => (m.Key.Item1, m.Key.Item2, m.Value)), all);
        Assert.Equal(7, all.Count);
    }

    private static int Ordinal(string a, string b) => string.CompareOrdinal(a, b);

    private static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
