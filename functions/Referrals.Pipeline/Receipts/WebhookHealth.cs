using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// The SendGrid webhook's health (rulebook 1.2 section 6: silence counts only while the endpoint was answering): one
/// merge per signed batch into the heartbeat table, partition <see cref="Partition"/>, one row per UTC hour, with the
/// time it last answered a batch (2xx) or last failed one. Read for the 24 hours after a send, one partition-bounded
/// query (<see cref="WebhookHealthRule"/>).
/// </summary>
public sealed class WebhookHealth(StorageClients clients, IOptions<PipelineOptions> options)
{
    public const string Partition = "webhook-sendgrid";

    private TableClient Table => clients.Tables.GetTableClient(options.Value.HeartbeatTable);

    private static string RowOf(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    /// <summary>Records one signed batch: answered 2xx, or failed (refused or not applied, which SendGrid sends again).</summary>
    public Task RecordAsync(bool answered, DateTimeOffset at, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(Partition, RowOf(WebhookHealthRule.HourOf(at))) { [answered ? "LastAnswered" : "LastFailed"] = at }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>The hours recorded from <paramref name="from"/> through <paramref name="through"/>.</summary>
    public async Task<IReadOnlyList<WebhookHour>> ReadAsync(DateTimeOffset from, DateTimeOffset through, CancellationToken cancellationToken)
    {
        var hours = new List<WebhookHour>();
        var filter = $"PartitionKey eq '{Partition}' and RowKey ge '{RowOf(from)}' and RowKey le '{RowOf(through)}'";
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (DateTimeOffset.TryParseExact(row.RowKey, "yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var hour))
            {
                hours.Add(new WebhookHour(hour, row.GetDateTimeOffset("LastAnswered") is not null, row.GetDateTimeOffset("LastFailed") is not null));
            }
        }

        return hours;
    }
}
