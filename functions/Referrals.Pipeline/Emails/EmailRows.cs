using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Emails;

/// <summary>
/// The email half of a victim's row, as the email step reads, claims (<see cref="ClaimRule"/>) and settles it. Every
/// write is ETag-checked, so a newer snapshot committed meanwhile is never overwritten.
/// </summary>
public sealed class EmailRows(VictimStateStore states, IOptions<SendGridOptions> sendGrid, TimeProvider time, LogIds ids)
{
    public Task<Stored<VictimState>?> LoadAsync(EmailWorkItem item, CancellationToken cancellationToken) =>
        states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken);

    public ClaimStep StepFor(Stored<VictimState> victim) => ClaimRule.ForEmail(victim.State.Email, time.GetUtcNow(), sendGrid.Value.ClaimLease);

    /// <summary>Queued → Sending on the row read; null, with the email's status now, when another change came first.</summary>
    public async Task<(Stored<VictimState>? Claimed, EmailStatus? Now)> ClaimAsync(EmailWorkItem item, Stored<VictimState> victim)
    {
        // From the claim to the result being stored, host shutdown must not cut in: a stop in that window could
        // leave an email sent but not recorded. The storage and SendGrid timeouts bound it instead.
        var now = time.GetUtcNow();
        if (await states.TryReplaceAsync(victim, victim.State with { Email = victim.State.Email with { Status = EmailStatus.Sending, AttemptedAt = now }, UpdatedAt = now }, CancellationToken.None) is { } claimed)
        {
            return (claimed, EmailStatus.Sending);
        }

        var latest = await LoadAsync(item, CancellationToken.None);
        if (latest?.State.Email.Status == EmailStatus.Queued)
        {
            throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} changed while its email was claimed.");
        }

        return (null, latest?.State.Email.Status);
    }

    /// <summary>
    /// Applies a change to the victim's email: to the row this sender holds when it is still current (one request),
    /// else to the latest row, reloading if a newer snapshot changed it meanwhile.
    /// </summary>
    public async Task UpdateAsync(EmailWorkItem item, Stored<VictimState>? held, Func<EmailState, EmailState> change, CancellationToken cancellationToken, IReadOnlyList<TallyEvent>? counted = null)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var victim = attempt == 1 && held is not null ? held : await LoadAsync(item, cancellationToken);
            if (victim is null)
            {
                await states.CountAsync(item.CrimeReference, counted ?? [], cancellationToken);
                return;
            }

            if (await states.TryReplaceAsync(victim, victim.State with { Email = change(victim.State.Email), UpdatedAt = time.GetUtcNow() }, cancellationToken, counted) is not null)
            {
                return;
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} kept changing while its email result was recorded.");
    }
}
