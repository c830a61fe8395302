using Referrals.Emails;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;

namespace Referrals.Pipeline.Emails;

/// <summary>The email a victim is sent, decided again on the crime's latest snapshot: a later version may have made email unsafe.</summary>
public sealed class EmailDrafts(VictimStateStore states, ReferralRules rules, EntitlementEmailComposer composer, LogIds ids)
{
    /// <summary>The email, or why it is suppressed; null when the crime's row is gone.</summary>
    public async Task<(EntitlementEmail? Email, string? SuppressedBecause)?> ForAsync(EmailWorkItem item, CancellationToken cancellationToken)
    {
        if (await states.LoadCrimeAsync(item.CrimeReference, cancellationToken) is not { } crime)
        {
            return null;
        }

        var snapshot = crime.Snapshot(ids.Reference(crime.CrimeReference));
        return snapshot.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } person && rules.Decide(snapshot, person) is var decision
            ? (composer.Compose(snapshot, person, decision), decision.Email.Reason?.ToString())
            : (null, "NotInLatestSnapshot");
    }
}
