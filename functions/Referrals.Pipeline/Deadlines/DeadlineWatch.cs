using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Deadlines;
using Referrals.Forwarding;
using Referrals.Indexes;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Deadlines;

/// <summary>What one deadline watch found: referrals at risk and late now, and how many it gave their notice for the first time.</summary>
public sealed record DeadlineCounts(int AtRisk, int Late, int Noticed);

/// <summary>
/// Issue 29's deadline watch. Reads the referrals' due rows of the month index (<c>due-referral|</c>, by the instant each
/// would be late) from <see cref="DeadlineOptions.LookBackDays"/> ago up to the latest due date that can be at risk now:
/// one query per month, never the state table. A row its delivery marked Delivered is done; each other row whose at-risk
/// time has come is checked against its victim's row and its delivery's row (two point reads) and judged by
/// <see cref="DeadlineRule"/>. <see cref="WatchAsync"/> gives each referral at risk or late its notice once: the metric
/// <see cref="PipelineMetrics.ReferralsAtRisk"/> (the alert) and a warning log line, marked on the row ETag-checked, so a
/// redelivery, a rerun or two runs at once count it once. <see cref="SurveyAsync"/> reads without writing (the status view).
/// </summary>
public sealed partial class DeadlineWatch(
    MonthIndex index, IndexOutbox outbox, VictimStateStore victims, DeliveryStore deliveries, HeartbeatStore heartbeats, WorkingDayCalendar calendar,
    IOptions<DeadlineOptions> options, IOptionsMonitor<Configuration.OutboundOptions> outbound, PipelineMetrics metrics, LogIds ids, TimeProvider time, ILogger<DeadlineWatch> logger)
{
    public async Task<DeadlineCounts> WatchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await heartbeats.RecordOutboundAsync(outbound.CurrentValue.Paused, now, cancellationToken);
        await outbox.DrainAsync(cancellationToken); // rows still in crimes' outboxes reach the index first
        var noticed = 0;
        var found = await SurveyAsync(now, stamp: true, cancellationToken);
        foreach (var referral in found.Where(r => r.NoticedAt is null))
        {
            if (await index.TryMarkAsync(referral.Row, MonthIndex.NoticedAtColumn, now, cancellationToken))
            {
                noticed++;
                metrics.ReferralAtRisk(referral.Standing);
                LogNotice(logger, ids.Reference(referral.CrimeReference), referral.ServiceId, referral.Standing.ToString(), referral.Reason);
            }
        }

        return new DeadlineCounts(found.Count(r => r.Standing == DeadlineStanding.AtRisk), found.Count(r => r.Standing == DeadlineStanding.Late), noticed);
    }

    /// <summary>Every referral at risk or late at <paramref name="now"/>, by due date.</summary>
    public Task<List<ReferralAtRisk>> SurveyAsync(DateTimeOffset now, CancellationToken cancellationToken) => SurveyAsync(now, stamp: false, cancellationToken);

    private async Task<List<ReferralAtRisk>> SurveyAsync(DateTimeOffset now, bool stamp, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var through = IndexRule.LateFrom(DeadlineRule.LatestAtRisk(now, calendar));
        var found = new List<ReferralAtRisk>();
        await foreach (var row in index.RangeAsync(MonthIndex.DueIndex(DueWork.Referral), now - TimeSpan.FromDays(settings.LookBackDays), through, cancellationToken))
        {
            var dueBy = London.DateOf(MonthIndex.TimeOf(row)).AddDays(-1);
            var settled = row.GetBoolean("Settled") == true;
            if (now < DeadlineRule.AtRiskFrom(dueBy, calendar, settings.AtRiskAt) || (settled && row.GetString(MonthIndex.DeliveryStatusColumn) == nameof(DeliveryStatus.Delivered))
                || row.GetString("CrimeReference") is not { } crime || row.GetString("VictimId") is not { } victimId || row.GetString("ServiceId") is not { } serviceId)
            {
                continue;
            }

            var victim = (await victims.LoadVictimAsync(crime, victimId, cancellationToken))?.State;
            var delivery = (await deliveries.GetAsync(DeliveryKind.Referral, crime, victimId, serviceId, cancellationToken))?.State;
            if (stamp && settled && delivery is { Status: not (DeliveryStatus.Pending or DeliveryStatus.Sending) } && row.GetString(MonthIndex.DeliveryStatusColumn) is null)
            {
                // A row written before the index carried the delivery's status: the next watch reads it from the index.
                await index.WriteAsync([new TableEntity(row.PartitionKey, row.RowKey) { [MonthIndex.DeliveryStatusColumn] = delivery.Status.ToString() }], cancellationToken);
            }

            if (victim is not null && victim.ReferralDueBy != dueBy && delivery?.DueBy != dueBy)
            {
                continue; // a due date the crime no longer has (its recorded time changed)
            }

            var verdict = DeadlineRule.Judge(now, new ReferralFacts(dueBy, victim?.ReferralStatus, victim?.ReferredServices.Contains(serviceId) == true, victim is not null && HoldRule.IsHeld(victim), delivery?.Status), calendar, settings.AtRiskAt);
            if (verdict.Standing != DeadlineStanding.Fine)
            {
                found.Add(new ReferralAtRisk(crime, victimId, serviceId, dueBy, verdict.Standing, verdict.Reason, row.GetDateTimeOffset(MonthIndex.NoticedAtColumn), row));
            }
        }

        return [.. found.OrderBy(r => r.DueBy).ThenBy(r => r.CrimeReference, StringComparer.Ordinal).ThenBy(r => r.VictimId, StringComparer.Ordinal).ThenBy(r => r.ServiceId, StringComparer.Ordinal)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A referral for crime {CrimeReference} to service {ServiceId} is {Standing}: {Reason}")]
    private static partial void LogNotice(ILogger logger, string crimeReference, string serviceId, string standing, string reason);
}

/// <summary>One referral at risk or late: where it is (ids and codes only), when it is due, why, and when its notice was given.</summary>
public sealed record ReferralAtRisk(string CrimeReference, string VictimId, string ServiceId, DateOnly DueBy, DeadlineStanding Standing, string Reason, DateTimeOffset? NoticedAt, TableEntity Row);
