using System.Reflection;
using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// docs/privacy.md lists every field the pipeline stores or queues: each table entity's columns, each queue work
/// item's fields and each field of the crime-event contract. A new column without its entry fails here.
/// </summary>
public sealed partial class PrivacyInventoryTests
{
    private static readonly Assembly[] Ours =
    [
        typeof(PipelineServices).Assembly,
        typeof(Contract.CrimeEvent).Assembly,
        typeof(LocalHost.LocalFunctions).Assembly,
        typeof(Functions.Telemetry.MetricsExport).Assembly,
        typeof(Cli.CliApp).Assembly,
    ];

    [Fact]
    public void Every_column_of_every_table_entity_is_in_the_inventory()
    {
        var entities = Ours.SelectMany(a => a.GetTypes()).Where(t => typeof(ITableEntity).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false }).ToList();

        Assert.Contains(entities, t => t.Name == "AuditEntity");
        AssertListed(entities);
    }

    [Fact]
    public void Every_field_of_every_queue_work_item_is_in_the_inventory() =>
        AssertListed([.. Ours.SelectMany(a => a.GetTypes()).Where(t => t.Name.EndsWith("WorkItem", StringComparison.Ordinal) && t.IsClass)]);

    [Fact]
    public void Every_field_of_the_crime_event_contract_is_in_the_inventory() =>
        AssertListed([.. typeof(Contract.CrimeEvent).Assembly.GetTypes().Where(t => t.Namespace == "Referrals.Contract" && t.IsPublic
            && t.Name is "CrimeEvent" or "Crime" or "Offence" or "OfficerInCase" or "Victim" or "ParentOrGuardian" or "PostalAddress")]);

    [Fact]
    public void The_inventory_check_fails_for_a_column_it_does_not_list()
    {
        var missing = Missing([typeof(UnlistedEntity)]);

        Assert.Equal(["UnlistedEntity.NewColumn"], missing.Where(m => m.EndsWith("NewColumn", StringComparison.Ordinal)));
    }

    private static void AssertListed(IReadOnlyList<Type> types)
    {
        Assert.NotEmpty(types);
        var missing = Missing(types);
        Assert.True(missing.Count == 0, $"docs/privacy.md does not list: {string.Join(", ", missing)}. Add each to the inventory: where it is kept, why, how long.");
    }

    private static List<string> Missing(IEnumerable<Type> types)
    {
        var listed = Listed();
        return [.. types.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetMethod is not null && !IsTableBookkeeping(t, p))
                .Select(p => $"{t.Name}.{p.Name}"))
            .Where(name => !listed.Contains(name))
            .Order(StringComparer.Ordinal)];
    }

    // PartitionKey and RowKey are listed once per table (they hold ids); Timestamp and ETag are the service's own.
    private static bool IsTableBookkeeping(Type type, PropertyInfo property) =>
        typeof(ITableEntity).IsAssignableFrom(type) && property.Name is nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag);

    private static HashSet<string> Listed()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "privacy.md"));
        return [.. text.Split('\n').Where(l => l.StartsWith('|')).SelectMany(l => Field().Matches(l).Select(m => m.Groups[1].Value))];
    }

    [GeneratedRegex(@"`([A-Z][A-Za-z]+\.[A-Z][A-Za-z]+)`")]
    private static partial Regex Field();

    private sealed class UnlistedEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = string.Empty;

        public string RowKey { get; set; } = string.Empty;

        public DateTimeOffset? Timestamp { get; set; }

        public Azure.ETag ETag { get; set; }

        public string NewColumn { get; set; } = string.Empty;
    }
}
