using Azure;
using Azure.Data.Tables;

namespace Referrals.Pipeline.Storage;

/// <summary>Optimistic concurrency on one row: the claims and state changes of every step are built on it.</summary>
public static class OptimisticReplace
{
    /// <summary>Replaces the row only if nobody changed it since it was read (its ETag), keeping the new ETag; false otherwise.</summary>
    public static async Task<bool> TryReplaceAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            entity.ETag = response.Headers.ETag ?? entity.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// The same, with other rows of the entity's partition upserted in the same transaction (all or none): the tally
    /// events of a state change travel with it (<see cref="Tallies.TallyStore.StateRows"/>).
    /// </summary>
    public static async Task<bool> TryReplaceWithAsync<T>(this TableClient table, T entity, IReadOnlyList<TableTransactionAction> alongside, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        if (alongside.Count == 0)
        {
            return await table.TryReplaceAsync(entity, cancellationToken);
        }

        try
        {
            var response = await table.SubmitTransactionAsync([new(TableTransactionActionType.UpdateReplace, entity, entity.ETag), .. alongside], cancellationToken);
            entity.ETag = response.Value[0].Headers.ETag ?? entity.ETag;
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }
}
