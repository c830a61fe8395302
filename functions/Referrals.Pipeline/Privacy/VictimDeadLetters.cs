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

/// <summary>The dead letters that hold a victim's data: their work items, and the crime's crime-event messages.</summary>
public sealed class VictimDeadLetters(StorageClients clients, IOptions<PipelineOptions> options)
{
    private TableClient DeadLetters => clients.Tables.GetTableClient(options.Value.DeadLetterTable);

    /// <summary>The victim's work items, and every rejected crime event of the crime (a whole snapshot: all its victims).</summary>
    public async Task<List<DeadLetterEntity>> ListAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        try
        {
            return await DeadLetters.QueryAsync<DeadLetterEntity>(cancellationToken: cancellationToken)
                .Where(l => (l.CrimeReference == crimeReference && (l.VictimId == victimId || l.VictimId is null)) || MentionsCrime(l, crimeReference))
                .ToListAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            return [];
        }
    }

    private static bool MentionsCrime(DeadLetterEntity letter, string crimeReference)
    {
        if (letter.CrimeReference is not null || !QueueText.TryDecode(Encoding.UTF8.GetString(letter.Message), out var payload))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("crime", out var crime) && crime.ValueKind == JsonValueKind.Object
                && crime.TryGetProperty("reference", out var reference) && reference.ValueKind == JsonValueKind.String && reference.GetString() == crimeReference;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        foreach (var letter in await ListAsync(crimeReference, victimId, cancellationToken))
        {
            await DeadLetters.DeleteEntityAsync(letter.PartitionKey, letter.RowKey, ETag.All, cancellationToken);
        }
    }
}
