using Referrals.Pipeline.DeadLetters;

namespace Referrals.Pipeline.Privacy;

/// <summary>
/// The dead letters that hold a victim's data: their work items, and the crime's crime-event messages. Found through the
/// crime's index partition in the dead-letter table (<see cref="DeadLetterStore.OfCrimeAsync"/>), never by reading every dead letter.
/// </summary>
public sealed class VictimDeadLetters(DeadLetterStore deadLetters)
{
    /// <summary>The victim's work items, and every crime event naming the crime (a whole snapshot: all its victims).</summary>
    public async Task<List<DeadLetterEntity>> ListAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        try
        {
            return [.. (await deadLetters.OfCrimeAsync(crimeReference, cancellationToken)).Where(l => l.VictimId is null || l.VictimId == victimId).Select(l => l.Letter)];
        }
        catch (Azure.RequestFailedException ex) when (ex.ErrorCode is "TableNotFound")
        {
            return [];
        }
    }

    /// <summary>Deletes each whole (a crime event however broken, Base64 or not: every victim in it), and returns what it deleted.</summary>
    public async Task<List<DeadLetterEntity>> DeleteAsync(string crimeReference, string victimId, CancellationToken cancellationToken)
    {
        var deleted = new List<DeadLetterEntity>();
        foreach (var letter in await ListAsync(crimeReference, victimId, cancellationToken))
        {
            letter.ETag = Azure.ETag.All;
            try
            {
                await deadLetters.DeleteAsync(letter, cancellationToken);
                deleted.Add(letter);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted meanwhile (the retention function, or an erasure of another victim of the crime).
            }
        }

        return deleted;
    }
}
