using Referrals.Emails;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Emails;

/// <summary>The email a victim is sent, decided again on the crime's latest snapshot: a later version may have made email unsafe.</summary>
public sealed class EmailDrafts(VictimStateStore states, ReferralRules rules, EntitlementEmailComposer composer, LogIds ids)
{
    /// <summary>The email, or why it is suppressed; null when the crime's row is gone.</summary>
    public async Task<(EntitlementEmail? Email, string? SuppressedBecause)?> ForAsync(Stored<VictimState> victim, CancellationToken cancellationToken)
    {
        if (victim.Copy?.Source == SnapshotSource.NotInLatest)
        {
            return (null, "NotInLatestSnapshot");
        }

        if (await states.SnapshotForAsync(victim, ids.Reference(victim.State.CrimeReference), cancellationToken) is not { } snapshot)
        {
            return null;
        }

        return snapshot.Victims.FirstOrDefault(v => v.Id == victim.State.VictimId) is { } person && rules.Decide(snapshot, person) is var decision
            ? (composer.Compose(snapshot, person, decision), decision.Email.Reason?.ToString())
            : (null, "NotInLatestSnapshot");
    }
}
