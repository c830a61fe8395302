using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;

namespace Referrals.Pipeline.Privacy;

/// <summary>A victim's audit trail, for `explain` and the subject-access export.</summary>
public sealed class VictimHistory(StorageClients clients, IOptions<PipelineOptions> options)
{
    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>The victim's audit trail, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> HistoryAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var partition = VictimStateStore.PartitionKeyFor(crimeReference);
        var entries = new List<AuditEntry>();
        await foreach (var row in States.QueryAsync<AuditEntity>($"PartitionKey eq {TableKeys.Quote(partition)} and {AuditRow.Range}", cancellationToken: cancellationToken))
        {
            entries.AddRange(AuditRow.EntriesOf(row).Where(e => e.VictimId == victimId));
        }

        // Row keys begin with the time, so this is the order they were written in; the sort is stable.
        return [.. entries.OrderBy(e => e.At)];
    }
}
