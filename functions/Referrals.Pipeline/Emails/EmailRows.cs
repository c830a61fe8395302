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

    /// <summary>One ETag-checked write of a claim: the row claimed, or null when another change came first.</summary>
    public Task<Stored<VictimState>?> TryClaimAsync(Stored<VictimState> victim, VictimState claimed) =>
        states.TryReplaceAsync(victim, claimed, CancellationToken.None);

    /// <summary>
    /// Applies a change to the victim's email: to the row this sender holds when it is still current (one request),
    /// else to the latest row, reloading if a newer snapshot changed it meanwhile.
    /// </summary>
    public async Task UpdateAsync(EmailWorkItem item, Stored<VictimState>? held, Func<EmailState, EmailState> change, CancellationToken cancellationToken, IReadOnlyList<TallyEvent>? counted = null) =>
        await ChangeAsync(item, held, v => v with { Email = change(v.Email) }, cancellationToken, counted);

    /// <summary>
    /// Applies a change to the victim's state, with the tally events it gives (<see cref="TallyRule.Between"/>) and
    /// <paramref name="counted"/> in the same transaction: the change made, or null when the victim's row is gone.
    /// </summary>
    public async Task<VictimChange?> ChangeAsync(EmailWorkItem item, Stored<VictimState>? held, Func<VictimState, VictimState> change, CancellationToken cancellationToken, IReadOnlyList<TallyEvent>? counted = null)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var victim = attempt == 1 && held is not null ? held : await LoadAsync(item, cancellationToken);
            if (victim is null)
            {
                await states.CountAsync(item.CrimeReference, counted ?? [], cancellationToken);
                return null;
            }

            var next = change(victim.State) with { UpdatedAt = time.GetUtcNow() };
            if (await states.TryReplaceAsync(victim, next, cancellationToken, [.. counted ?? [], .. TallyRule.Between(victim.State, next)]) is not null)
            {
                return new VictimChange(victim.State, next, []);
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} kept changing while its message result was recorded.");
    }
}
