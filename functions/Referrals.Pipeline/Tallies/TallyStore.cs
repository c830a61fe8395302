using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tallies;


/// <summary>
/// A counted event, once: partition = month and bucket (yyyy-MM-bb), row = category|subject, so recording it twice
/// changes nothing. A month is split into <see cref="TallyStore.Buckets"/> partitions by a hash of the subject: one
/// partition serves about 2,000 writes a second in Azure, and a month's writes come in bursts.
/// </summary>
public sealed class TallyEventEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Category { get; set; } = string.Empty;

    /// <summary>The service a delivery's event is about, so per-service figures are counted from the same event.</summary>
    public string? Service { get; set; }
}

/// <summary>When a month was last counted, and whether it is final and was revised: the row <see cref="TallyStore.StatusRow"/> of the month's partition.</summary>
public sealed class MonthStatusEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset CountedAt { get; set; }

    public bool Final { get; set; }

    public int Revisions { get; set; }

    public DateTimeOffset? RevisedAt { get; set; }

    /// <summary>The keys of the figures the last revision changed, comma-separated.</summary>
    public string? Revised { get; set; }

    public MonthStatus ToStatus() => new(CountedAt, Final, Revisions, RevisedAt, Revised is { Length: > 0 } r ? r.Split(',') : null);
}

/// <summary>A month's count of one category: partition = month, row = category key.</summary>
public sealed class MonthlyTallyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Name { get; set; } = string.Empty;

    public long Count { get; set; }

    public DateTimeOffset AggregatedAt { get; set; }
}

/// <summary>
/// Tally events and monthly tallies in Table Storage. Events are upserted by deterministic key (idempotent);
/// the monthly rows are recomputed from them, never incremented, so aggregation is safe to re-run.
/// </summary>
public sealed class TallyStore(StorageClients clients, IOptions<PipelineOptions> options, IOptions<TalliesOptions> tallies, RulesData rules, Tasks.TaskIndex tasks, TimeProvider time, MonthIndex index, VictimStateStore states)
{
    public const int Buckets = 16;

    /// <summary>The row of a month's partition that holds its <see cref="MonthStatus"/>; it sorts after every category key.</summary>
    public const string StatusRow = "~status";
    /// <summary>Begins the row key of a tally event in a crime's partition of the state table (<see cref="StateRows"/>).</summary>
    public const string StateRowPrefix = "tally:";

    private const int MaxBatch = 100;

    private TableClient Events => clients.Tables.GetTableClient(options.Value.TallyEventsTable);

    private TableClient Monthly => clients.Tables.GetTableClient(options.Value.MonthlyTalliesTable);

    public IReadOnlyList<TallyCategory> Categories { get; } = TallyCategories.For(rules.Directory);

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken)
    {
        await Events.CreateIfNotExistsAsync(cancellationToken);
        await Monthly.CreateIfNotExistsAsync(cancellationToken);
    }

    public async Task RecordAsync(IEnumerable<TallyEvent> events, CancellationToken cancellationToken)
    {
        foreach (var partition in events.GroupBy(e => PartitionOf(e.Month, e.Subject)))
        {
            var rows = partition
                .Select(e => new TallyEventEntity { PartitionKey = partition.Key, RowKey = $"{e.Category}|{TableKeys.Id(e.Subject)}", Category = e.Category, Service = e.Service })
                .DistinctBy(e => e.RowKey);
            foreach (var batch in rows.Chunk(MaxBatch))
            {
                await Events.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Counts a month's events into its monthly rows, and marks when (<see cref="MonthStatus"/>): final once the month
    /// ended <see cref="TalliesOptions.FinalAfterDays"/> ago, and a later change to a final month is a revision. Each row
    /// is replaced only if unchanged since it was read, and never with a smaller count: events are only ever added, so
    /// a slower concurrent run cannot undo a newer one. A category found in the events but not listed (one added
    /// later) gets its row too.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> AggregateAsync(Month month, CancellationToken cancellationToken)
    {
        var partition = month.ToString();
        for (var attempt = 1; ; attempt++)
        {
            var existing = await Monthly.QueryAsync<MonthlyTallyEntity>($"PartitionKey eq '{partition}' and RowKey ne '{StatusRow}'", cancellationToken: cancellationToken)
                .ToDictionaryAsync(r => r.RowKey, StringComparer.Ordinal, cancellationToken);
            var status = await Monthly.GetEntityIfExistsAsync<MonthStatusEntity>(partition, StatusRow, cancellationToken: cancellationToken);
            var counts = await CountEventsAsync(partition, cancellationToken);
            var now = time.GetUtcNow();

            // Rulebook 1.2 section 12: the task figures are recounted from the tasks' current states (the month's index partition).
            var raised = await tasks.RaisedInAsync(month, cancellationToken).Select(r => r.ToTask()).ToListAsync(cancellationToken);
            foreach (var (key, value) in Referrals.Tasks.TaskFigures.Count(raised, now, rules.Rules.Calendar))
            {
                counts[key] = value;
            }

            // Rulebook 1.2 section 11: the contract measures, recounted from the current reports of the referrals delivered in the month.
            foreach (var (key, value) in await CountContractAsync(month, now, cancellationToken))
            {
                counts[key] = value;
            }

            var actions = new List<TableTransactionAction>();
            var after = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var key in Categories.Select(c => c.Key).Union(counts.Keys.Order(StringComparer.Ordinal)))
            {
                var count = counts.GetValueOrDefault(key);
                var row = new MonthlyTallyEntity { PartitionKey = partition, RowKey = key, Name = Categories.FirstOrDefault(c => c.Key == key)?.Name ?? key, Count = count, AggregatedAt = now };
                if (!existing.TryGetValue(key, out var stored))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                }
                else if (stored.Count <= count)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, stored.ETag));
                }

                after[key] = Math.Max(count, stored?.Count ?? 0);
            }

            var previous = status.HasValue ? status.Value!.ToStatus() : null;
            var next = MonthStatus.Next(previous, month, existing.ToDictionary(r => r.Key, r => r.Value.Count, StringComparer.Ordinal), after, now, tallies.Value.FinalAfterDays,
                ContractMeasures.ProvisionalUntil(month, rules.Directory, rules.Rules.Calendar));
            var statusRow = new MonthStatusEntity
            {
                PartitionKey = partition,
                RowKey = StatusRow,
                CountedAt = next.CountedAt,
                Final = next.Final,
                Revisions = next.Revisions,
                RevisedAt = next.RevisedAt,
                Revised = next.Revised is { } revised ? string.Join(',', revised) : null,
            };
            actions.Add(status.HasValue
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, statusRow, status.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, statusRow));

            try
            {
                foreach (var batch in actions.Chunk(MaxBatch))
                {
                    await Monthly.SubmitTransactionAsync(batch, cancellationToken);
                }

                return counts;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another run wrote this month meanwhile: read again and count again.
            }
        }
    }

    /// <summary>
    /// The stored counts of a range, with each month's status. Categories found in storage but not listed (added
    /// later) follow the listed ones, described by <see cref="TallyCategories.Describe"/>.
    /// </summary>
    public async Task<TallyReport> ReadAsync(MonthRange range, CancellationToken cancellationToken)
    {
        // Whole financial quarters: a month's small counts are hidden together with its quarter's (TallyReport.QuarterOf).
        var filter = $"PartitionKey ge '{TallyReport.QuarterOf(range.From).From}' and PartitionKey le '{TallyReport.QuarterOf(range.To).To}'";
        var counts = new Dictionary<Month, Dictionary<string, long>>();
        var statuses = new Dictionary<Month, MonthStatus>();
        await foreach (var row in Monthly.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!Month.TryParse(row.PartitionKey, out var month))
            {
                continue;
            }

            if (row.RowKey == StatusRow)
            {
                statuses[month] = new MonthStatus(
                    row.GetDateTimeOffset(nameof(MonthStatusEntity.CountedAt)) ?? DateTimeOffset.MinValue,
                    row.GetBoolean(nameof(MonthStatusEntity.Final)) ?? false,
                    row.GetInt32(nameof(MonthStatusEntity.Revisions)) ?? 0,
                    row.GetDateTimeOffset(nameof(MonthStatusEntity.RevisedAt)),
                    row.GetString(nameof(MonthStatusEntity.Revised)) is { Length: > 0 } revised ? revised.Split(',') : null);
            }
            else
            {
                (counts.TryGetValue(month, out var months) ? months : counts[month] = new(StringComparer.Ordinal))[row.RowKey] = row.GetInt64(nameof(MonthlyTallyEntity.Count)) ?? 0;
            }
        }

        var known = Categories.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<TallyCategory> categories =
        [
            .. Categories,
            .. counts.Values.SelectMany(c => c.Keys).Where(k => !known.Contains(k) && !k.StartsWith(ContractMeasures.FirstAttemptPrefix, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).Select(TallyCategories.Describe),
        ];
        return new TallyReport(range, categories, counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, long>)c.Value), statuses);
    }

    /// <summary>
    /// The contract measures of the referrals that reached their service in <paramref name="month"/>: the month index's
    /// <c>delivered|</c> rows (its 16 partitions), then each referral's victim row, one read per victim (the reports are
    /// there). A victim erased or purged since is read as reporting nothing, and a stored count never goes down.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, long>> CountContractAsync(Month month, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var delivered = new List<(string Id, string Crime, string Victim, string Service, DateTimeOffset At)>();
        await foreach (var row in index.DeliveredAsync(month, null, cancellationToken))
        {
            if (row.GetString("Kind") == nameof(Referrals.Forwarding.DeliveryKind.Referral) && row.GetDateTimeOffset("DeliveredAt") is { } at
                && row.GetString("Id") is { } id && row.GetString("CrimeReference") is { } crime && row.GetString("VictimId") is { } victim && row.GetString("ServiceId") is { } service)
            {
                delivered.Add((id, crime, victim, service, at));
            }
        }

        var reports = new Dictionary<(string, string), Referrals.Outcomes.OutcomeBook>();
        foreach (var (crime, victim) in delivered.Select(d => (d.Crime, d.Victim)).Distinct())
        {
            reports[(crime, victim)] = (await states.LoadVictimAsync(crime, victim, cancellationToken))?.State.Reports ?? Referrals.Outcomes.OutcomeBook.Empty;
        }

        var targets = rules.Directory.Services.ToDictionary(s => s.Id, s => s.FirstAttemptTarget, StringComparer.Ordinal);
        var referrals = delivered.Select(d => new DeliveredReferral(d.Id, d.Service, d.At, reports[(d.Crime, d.Victim)].For(d.Service)));
        return ContractMeasures.Count(referrals, service => targets.GetValueOrDefault(service, 2), now, rules.Rules.Calendar);
    }

    /// <summary>
    /// A crime's tally events as rows of its partition in the state table (row = tally:month|category|subject@partition),
    /// so they are written in the transaction that changes the state they count: never one without the other. The
    /// month index then copies them by month (<see cref="MonthIndex"/>), which is what the recount reads. Upserted by
    /// deterministic key, so counting twice changes nothing.
    /// </summary>
    public static IEnumerable<TableTransactionAction> StateRows(string partitionKey, IEnumerable<TallyEvent> events) =>
        events.Select(e => new TallyEventEntity { PartitionKey = partitionKey, RowKey = $"{StateRowPrefix}{e.Month}|{e.Category}|{TableKeys.Id(e.Subject)}@{partitionKey}", Category = e.Category, Service = e.Service })
            .DistinctBy(e => e.RowKey)
            .Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e));

    /// <summary>A stable bucket (FNV-1a of the subject), the same on every machine and run.</summary>
    private static string PartitionOf(Month month, string subject)
    {
        var hash = 2166136261u;
        foreach (var c in subject)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{month}-{hash % Buckets:00}");
    }

    private async Task<Dictionary<string, long>> CountEventsAsync(string month, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var filter = $"PartitionKey ge '{month}-00' and PartitionKey le '{month}-{Buckets - 1:00}'";
        await foreach (var row in Events.QueryAsync<TallyEventEntity>(filter, select: ["Category", "Service"], cancellationToken: cancellationToken))
        {
            Count(counts, row);
        }

        // The events written with the state they count, as the month index holds them: the month's 16 partitions, its events only.
        await foreach (var row in index.TallyEventsAsync(Month.TryParse(month, out var parsed) ? parsed : throw new ArgumentException("not a month", nameof(month)), cancellationToken))
        {
            Count(counts, new TallyEventEntity { Category = row.GetString("Category") ?? string.Empty, Service = row.GetString("Service") });
        }

        return counts;
    }

    /// <summary>An event counts in its category and, when it names a service and its figure is broken down by service, in that service's figure too.</summary>
    private static void Count(Dictionary<string, long> counts, TallyEventEntity row)
    {
        counts[row.Category] = counts.GetValueOrDefault(row.Category) + 1;
        if (row.Service is { Length: > 0 } service && TallyCategories.PerService.Contains(row.Category))
        {
            var key = TallyCategories.ForService(row.Category, service);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }
}
