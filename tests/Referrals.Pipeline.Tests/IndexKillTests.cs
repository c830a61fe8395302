using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// A process killed (SIGKILL) between the two writes of an index: the steps' index rows are in their crimes' outboxes
/// (written in the steps' own transactions), and the real program's recount (`referrals tallies --refresh`, a child
/// process) applies them to the month index and then closes the outboxes. The child is killed once before its index
/// write reaches storage and once between that write and the closing of the outboxes (a proxy in front of the tables
/// keeps the request; the test then kills the process). A third run finishes: every tally row of the state table is
/// counted exactly once. And the outbox's two ways: a step's rows go into it while it is open, and to the index itself
/// once the drain has closed it; a step that writes to it while the drain closes it keeps it open for the next drain.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class IndexKillTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_process_killed_between_the_two_writes_of_an_index_loses_no_event_and_counts_none_twice()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines[..8]);
        await pipeline.WaitUntilIdleAsync();
        var tables = pipeline.Services.GetRequiredService<StorageClients>().Tables;
        var (states, index) = (tables.GetTableClient(pipeline.Options.VictimStateTable), tables.GetTableClient(pipeline.Options.MonthIndexTable));

        // The truth: the tally rows in the crimes' partitions (test code reads the whole table), and the outboxes open.
        var truth = await states.QueryAsync<TableEntity>(r => true).Where(r => r.RowKey.StartsWith("tally:", StringComparison.Ordinal)).ToListAsync();
        var months = truth.Select(r => Month.TryParse(r.RowKey["tally:".Length..r.RowKey.IndexOf('|', StringComparison.Ordinal)], out var m) ? m : throw new FormatException(r.RowKey)).Distinct().Order().ToArray();
        var owed = await OwedAsync(states);
        Assert.Contains(owed, r => r.RowKey.Contains("|tally|", StringComparison.Ordinal));
        var indexed = await TallyKeysAsync(index);
        Assert.True(truth.Count > indexed.Count, $"{truth.Count} tally rows, {indexed.Count} indexed before the recount: some are owed");

        // Killed before its index write reaches storage: nothing more in the index, the outboxes as they were.
        await KillWhenHeldAsync(pipeline, months, r => r.Method == "POST" && r.Body.Contains(pipeline.Options.MonthIndexTable, StringComparison.Ordinal) && r.Body.Contains("tally|", StringComparison.Ordinal));
        Assert.Equal(indexed, await TallyKeysAsync(index));
        Assert.Equal(owed.Count, (await OwedAsync(states)).Count);

        // Killed after its index write, before the outboxes are closed: the rows applied, the outboxes still open.
        await KillWhenHeldAsync(pipeline, months, r => r.Method == "POST" && r.Body.Contains(pipeline.Options.VictimStateTable, StringComparison.Ordinal) && r.Body.Contains("DELETE", StringComparison.Ordinal));
        Assert.Equal(truth.Count, (await TallyKeysAsync(index)).Count);
        Assert.Equal(owed.Count, (await OwedAsync(states)).Count);

        // Run again to the end: applied once more (the same keys), closed, and every event counted exactly once.
        var (exitCode, _, stderr) = await CliProgram.RunAsync(new Dictionary<string, string?>(), Recount(azurite.ConnectionString, pipeline, months));
        Assert.True(exitCode == 0, stderr);
        Assert.Empty(await OwedAsync(states));
        Assert.Equal(truth.Count, (await TallyKeysAsync(index)).Count);
        var tallies = await pipeline.Services.GetRequiredService<Tallies.TallyStore>().ReadAsync(new MonthRange(months[0], months[^1]), CancellationToken.None);
        var expected = truth.GroupBy(r => (Month.TryParse(r.RowKey["tally:".Length..r.RowKey.IndexOf('|', StringComparison.Ordinal)], out var m) ? m : default, r.GetString("Category")!)).ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, g => Assert.Equal((g.Key, (long)g.Count()), (g.Key, tallies[g.Key.Item1, g.Key.Item2])));
    }

    [Fact]
    public async Task A_step_writes_its_index_rows_to_the_open_outbox_and_to_the_index_itself_once_the_drain_closed_it()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines[..1]);
        await pipeline.WaitUntilIdleAsync();
        var tables = pipeline.Services.GetRequiredService<StorageClients>().Tables;
        var (states, index) = (tables.GetTableClient(pipeline.Options.VictimStateTable), tables.GetTableClient(pipeline.Options.MonthIndexTable));
        var store = pipeline.Services.GetRequiredService<VictimStateStore>();
        var victim = await store.LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None);
        Assert.NotNull(victim);
        var month = Month.Of(DateTimeOffset.UtcNow);

        // Open: the change's tally row goes into the crime's outbox, not yet into the index.
        victim = await store.TryReplaceAsync(victim, victim.State with { UpdatedAt = DateTimeOffset.UtcNow }, CancellationToken.None, [new TallyEvent(month, "OutboxTest", "open")]);
        Assert.NotNull(victim);
        Assert.Contains(await OwedAsync(states), r => r.RowKey.Contains("|tally|OutboxTest|open@", StringComparison.Ordinal));
        Assert.DoesNotContain(await TallyKeysAsync(index), k => k.EndsWith("tally|OutboxTest|open", StringComparison.Ordinal));

        // The drain applies it and closes the outbox.
        Assert.Equal(1, await pipeline.Services.GetRequiredService<IndexOutbox>().DrainAsync(CancellationToken.None));
        Assert.Empty(await OwedAsync(states));
        Assert.Contains(await TallyKeysAsync(index), k => k.EndsWith("tally|OutboxTest|open", StringComparison.Ordinal));

        // Closed: the next change's transaction fails on the missing marker, is written without it, and indexes directly.
        victim = await store.TryReplaceAsync(victim, victim.State with { UpdatedAt = DateTimeOffset.UtcNow }, CancellationToken.None, [new TallyEvent(month, "OutboxTest", "closed")]);
        Assert.NotNull(victim);
        Assert.Empty(await OwedAsync(states));
        Assert.Contains(await TallyKeysAsync(index), k => k.EndsWith("tally|OutboxTest|closed", StringComparison.Ordinal));
        Assert.Contains(await states.QueryAsync<TableEntity>(r => true).ToListAsync(), r => r.RowKey.StartsWith($"tally:{month}|OutboxTest|closed@", StringComparison.Ordinal));
        Assert.Equal(0, await pipeline.Services.GetRequiredService<IndexOutbox>().DrainAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_step_that_writes_to_the_outbox_while_the_drain_closes_it_keeps_it_open_for_the_next_drain()
    {
        await using var proxy = await TableProxy.StartAsync(azurite.ConnectionString);
        await using var pipeline = new PipelineTestHost(azurite, connect: proxy.Connect);
        await pipeline.StartAsync();
        await pipeline.SendAsync(Samples.Lines[..1]);
        await pipeline.WaitUntilIdleAsync();
        var tables = pipeline.Services.GetRequiredService<StorageClients>().Tables;
        var (states, index) = (tables.GetTableClient(pipeline.Options.VictimStateTable), tables.GetTableClient(pipeline.Options.MonthIndexTable));
        var (store, outbox) = (pipeline.Services.GetRequiredService<VictimStateStore>(), pipeline.Services.GetRequiredService<IndexOutbox>());
        var victim = await store.LoadVictimAsync("DB/26/000101", "V1", CancellationToken.None);
        Assert.NotNull(victim);

        // The drain has read the outbox and written the index; its closing waits while a step writes to the outbox.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (proxy.Gate, proxy.Hold) = (gate.Task, r => r.Method == "POST" && r.Body.Contains(pipeline.Options.VictimStateTable, StringComparison.Ordinal) && r.Body.Contains("DELETE", StringComparison.Ordinal));
        var draining = outbox.DrainAsync(CancellationToken.None);
        await proxy.Held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        proxy.Hold = _ => false;
        Assert.NotNull(await store.TryReplaceAsync(victim, victim.State with { UpdatedAt = DateTimeOffset.UtcNow }, CancellationToken.None, [new TallyEvent(Month.Of(DateTimeOffset.UtcNow), "OutboxTest", "between")]));
        gate.SetResult();

        // Not closed: the step's row waits in the outbox, which the next drain applies and closes.
        Assert.Equal(0, await draining);
        Assert.Contains(await OwedAsync(states), r => r.RowKey.Contains("|tally|OutboxTest|between@", StringComparison.Ordinal));
        Assert.DoesNotContain(await TallyKeysAsync(index), k => k.EndsWith("tally|OutboxTest|between", StringComparison.Ordinal));
        Assert.Equal(1, await outbox.DrainAsync(CancellationToken.None));
        Assert.Empty(await OwedAsync(states));
        Assert.Contains(await TallyKeysAsync(index), k => k.EndsWith("tally|OutboxTest|between", StringComparison.Ordinal));
    }

    /// <summary>Starts the recount as a child process whose tables go through a proxy; kills it (SIGKILL) when the proxy holds the request <paramref name="hold"/> picks.</summary>
    private async Task KillWhenHeldAsync(PipelineTestHost pipeline, Month[] months, Func<TableRequest, bool> hold)
    {
        await using var proxy = await TableProxy.StartAsync(azurite.ConnectionString);
        proxy.Hold = hold;
        using var process = CliProgram.Start(new Dictionary<string, string?>(), Recount(proxy.Connect(azurite.ConnectionString), pipeline, months));
        var output = process.StandardError.ReadToEndAsync();
        var finished = process.WaitForExitAsync();
        var held = await Task.WhenAny(proxy.Held.Task, finished);
        Assert.True(held == proxy.Held.Task, $"the recount ended before the request to hold (exit {(process.HasExited ? process.ExitCode : -1)}): {(process.HasExited ? await output : "")}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(137, process.ExitCode);
    }

    private static string[] Recount(string connection, PipelineTestHost pipeline, Month[] months) =>
        ["tallies", "--refresh", "--from", months[0].ToString(), "--to", months[^1].ToString(), "--storage", connection, "--table-prefix", pipeline.Options.TablePrefix];

    private static async Task<List<TableEntity>> OwedAsync(TableClient states) =>
        await states.QueryAsync<TableEntity>(r => true).Where(r => r.RowKey.StartsWith(IndexOutbox.Prefix, StringComparison.Ordinal)).ToListAsync();

    private static async Task<HashSet<string>> TallyKeysAsync(TableClient index) =>
        [.. await index.QueryAsync<TableEntity>(r => true).Where(r => r.RowKey.StartsWith(MonthIndex.Tally, StringComparison.Ordinal)).Select(r => r.PartitionKey + " " + r.RowKey).ToListAsync()];
}
