using Referrals.Forwarding;
using Referrals.Outcomes;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tasks;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Outcomes;

/// <summary>What a report did; <see cref="ReportEffect"/>, or the referral was not found (for this service).</summary>
/// <param name="Current">The referral's current status after the report, as its service reported it.</param>
public sealed record OutcomeResult(ReportEffect? Effect, string? Rule, ServiceStatus? Current = null)
{
    public bool NotFound => Effect is null;

    public static readonly OutcomeResult Unknown = new(null, OutcomeRules.UnknownReferral);
}

/// <summary>
/// Services' reports about their referrals (rulebook 1.2 section 11), from the outcome API and the Unit's commands alike:
/// finds the referral by its public id, loads its victim's row, asks the core (<see cref="ServiceReportRule"/>), commits
/// the row with its ETag and an audit entry naming who reported, then hands on what it asks for (a ServiceCouldNotContact
/// task's notice). A repeated report hands that on again and changes nothing. Storage failures throw: the caller answers 5xx.
/// </summary>
public sealed class OutcomeDesk(ReferralIdStore ids, VictimStateStore states, IngestHandOff handOff, RulesData rules, TimeProvider time)
{
    private const int MaxAttempts = 5;

    /// <param name="serviceId">The service reporting (the API); null: the Unit records it for the referral's own service.</param>
    /// <param name="by">Who reported, for the audit trail: "service:ID", or the operator's name.</param>
    /// <param name="dryRun">Decide only: nothing is written or handed on.</param>
    public async Task<OutcomeResult> ReportAsync(string publicId, string? serviceId, OutcomeReport report, string by, bool dryRun, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await FindAsync(publicId, serviceId, cancellationToken) is not var (referral, victim))
            {
                return OutcomeResult.Unknown;
            }

            if (victim is null)
            {
                return new(ReportEffect.Ignored, null); // Purged: the row is gone; acknowledged, nothing to change.
            }

            var now = time.GetUtcNow();
            var step = ServiceReportRule.Apply(victim.State, referral.ServiceId, report, now, rules.Rules.Calendar);
            var result = new OutcomeResult(step.Effect, step.Rule, ServiceReportRule.Current(step.Next.Reports.For(referral.ServiceId)));
            if (dryRun || step.Effect is ReportEffect.Refused or ReportEffect.Ignored)
            {
                return result;
            }

            if (step.Effect == ReportEffect.Repeated)
            {
                await HandOnAsync(new VictimChange(ReportHandOn.Before(victim.State, referral.ServiceId), victim.State, []), now, cancellationToken);
                return result;
            }

            var facts = new List<string> { $"outcome: {referral.ServiceId} reported {report.Code} at {report.At:O}" };
            facts.AddRange(AuditRule.OfTasks(victim.State, step.Next));
            var audit = AuditRow.ForOperator(victim.State.CrimeReference, AuditRule.OfOperator(victim.State.VictimId, AuditAction.Outcome, now, by, null, facts));
            if (await states.TryReplaceByOperatorAsync(victim, step.Next, audit, cancellationToken))
            {
                await HandOnAsync(new VictimChange(victim.State, step.Next, []), now, cancellationToken);
                return result;
            }
        }

        throw new Outbound.RetryLaterException("the victim's record kept changing while the report was recorded: nothing changed; report it again");
    }

    /// <summary>The referral's current status as its service reported it, and when each status was first reported; null when not found (for this service).</summary>
    public async Task<(ReferralIdEntity Referral, ServiceReports Reports)?> StatusAsync(string publicId, string? serviceId, CancellationToken cancellationToken) =>
        await FindAsync(publicId, serviceId, cancellationToken) is var (referral, victim)
            ? (referral, victim?.State.Reports.For(referral.ServiceId) ?? ServiceReports.None)
            : null;

    /// <summary>The referral and its victim's row (null when purged); null when the id names no referral of <paramref name="serviceId"/>.</summary>
    private async Task<(ReferralIdEntity Referral, Stored<VictimState>? Victim)?> FindAsync(string publicId, string? serviceId, CancellationToken cancellationToken)
    {
        if (PublicReferralIds.Normalise(publicId) is not { } id || await ids.FindAsync(id, cancellationToken) is not { } referral
            || (serviceId is not null && !string.Equals(referral.ServiceId, serviceId, StringComparison.Ordinal)))
        {
            return null;
        }

        return (referral, await states.LoadVictimAsync(referral.CrimeReference, referral.VictimId, cancellationToken));
    }

    private async Task HandOnAsync(VictimChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await handOff.HandOnAsync([change], Month.Of(now), cancellationToken);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException)
        {
            throw new HandOnFailedException($"the report is recorded, but the task it raised could not be queued ({HandOnFailedException.Reason(ex)}); report it again to hand it on", ex);
        }
    }
}
