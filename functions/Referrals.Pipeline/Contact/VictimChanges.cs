using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Contact;

/// <summary>
/// The one way the message sender, the receipts and the status timer write a victim's state: a change a rule of the
/// core works out is written ETag-checked with its tally events and audit entry in one write, reloading and asking the
/// rule again while another change comes first, and then handed on (<see cref="IngestHandOff"/>: the next channel, a
/// ContactNeeded task, a resend).
/// </summary>
public sealed class VictimChanges(VictimStateStore states, IngestHandOff handOff, TimeProvider time, LogIds ids)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<Stored<VictimState>?> LoadAsync(string crimeReference, string victimId, CancellationToken cancellationToken) =>
        states.LoadVictimAsync(crimeReference, victimId, cancellationToken);

    /// <summary>
    /// One ETag-checked write of a claim on the row held: the row claimed, or null when another change came first. From
    /// the claim to the result being stored, host shutdown must not cut in (a stop in that window could leave a message
    /// sent but not recorded): the storage and provider timeouts bound it instead.
    /// </summary>
    public Task<Stored<VictimState>?> TryClaimAsync(Stored<VictimState> held, VictimState claimed) =>
        states.TryReplaceAsync(held, claimed, CancellationToken.None, TallyRule.Between(held.State, claimed));

    /// <summary>
    /// Writes again the tally events and month index entries <paramref name="state"/> implies (idempotent): after a
    /// provider repeats a final receipt, which may follow a crash between a change's write and its index's write.
    /// </summary>
    public Task CountAgainAsync(VictimState state, CancellationToken cancellationToken) =>
        states.CountAgainAsync(state, cancellationToken);

    /// <summary>
    /// Applies <paramref name="rule"/> to the row held while it is current (one request), else to the latest row, and
    /// writes and hands on what it changed: the change, or null when the rule changed nothing (it returned the state it
    /// was given) or the victim's row is gone.
    /// </summary>
    public async Task<VictimChange?> ApplyAsync(string crimeReference, string victimId, Stored<VictimState>? held, Func<VictimState, VictimState> rule, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxConcurrencyRetries; attempt++)
        {
            var victim = attempt == 1 && held is not null ? held : await states.LoadVictimAsync(crimeReference, victimId, cancellationToken);
            if (victim is null || rule(victim.State) is var next && ReferenceEquals(next, victim.State))
            {
                return null;
            }

            var now = time.GetUtcNow();
            next = next with { UpdatedAt = now };
            if (await states.TryReplaceAsync(victim, next, cancellationToken, TallyRule.Between(victim.State, next)) is not null)
            {
                var change = new VictimChange(victim.State, next, []);
                await handOff.HandOnAsync([change], Month.Of(now), CancellationToken.None);
                return change;
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(victimId)} of crime {ids.Reference(crimeReference)} kept changing while a change was recorded.");
    }
}
