using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Referrals.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline;

/// <summary>
/// Counts what the pipeline does, as .NET metrics (exported to Application Insights in Azure, where the alerts
/// watch them: docs/architecture.md, "Metrics", and docs/operations.md, "Alerts") and as totals the local run prints.
/// Tags carry decisions, steps and stores only, from small fixed sets: never ids or personal data.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "Referrals.Pipeline";

    /// <summary>Every event, tagged <c>what</c> and <c>detail</c>.</summary>
    public const string Events = "referrals.events";

    /// <summary>Messages waiting for an operator, tagged <c>store</c>.</summary>
    public const string DeadLettersWaiting = "referrals.deadletters.waiting";

    /// <summary>Emails and deliveries that failed for good or could not be confirmed, tagged <c>step</c> and <c>outcome</c>.</summary>
    public const string Failures = "referrals.failures";

    /// <summary>Referrals delivered after their due date, tagged <c>step</c>.</summary>
    public const string LateDeliveries = "referrals.deliveries.late";

    /// <summary>Victim Care Unit tasks found overdue (open or claimed past their due time), each counted once, tagged <c>kind</c>.</summary>
    public const string TasksOverdue = "referrals.tasks.overdue";

    /// <summary>
    /// Issue 29: referrals decided and not held whose delivery was not Delivered by the set time on the working day before
    /// they were due (or are late), each counted once by the deadline watch, tagged <c>standing</c> (<c>atrisk</c>, <c>late</c>).
    /// </summary>
    public const string ReferralsAtRisk = "referrals.referrals.atrisk";

    /// <summary>
    /// 1 for each email a receipt says failed for good (bounce, dropped), 0 for each delivered: averaged over a window, the
    /// bounce rate. No tags, so the alert can watch it (docs/receipts.md).
    /// </summary>
    public const string EmailBounces = "referrals.emails.bounced";

    /// <summary>
    /// Issue 22: an asynchronous bounce naming no message of ours that its recipient address could not settle (no email to it
    /// awaits receipts, or several do), so nothing was applied; tagged <c>match</c> (<c>none</c>, <c>ambiguous</c>). Alert when above zero.
    /// </summary>
    public const string UnmatchedBounces = "referrals.emails.bounces.unmatched";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _events;
    private readonly Gauge<long> _waiting;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _late;
    private readonly Histogram<long> _bounces;
    private readonly Counter<long> _overdue;
    private readonly Counter<long> _unmatched;
    private readonly Counter<long> _atRisk;
    private long _overdueNow;
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    /// <param name="meters">The host's meter factory (so the meter belongs to that host), or none: a meter of its own.</param>
    public PipelineMetrics(IMeterFactory? meters = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _events = _meter.CreateCounter<long>(Events, description: "Snapshots, emails, deliveries and dead letters, by what happened.");
        _waiting = _meter.CreateGauge<long>(DeadLettersWaiting, description: "Messages waiting for an operator, by store: alert when above zero.");
        _failures = _meter.CreateCounter<long>(Failures, description: "Emails and deliveries that failed for good or could not be confirmed (each waits in the poison store), by step and outcome.");
        _late = _meter.CreateCounter<long>(LateDeliveries, description: "Referrals delivered after their due date (Victims' Code: 2 working days).");
        _bounces = _meter.CreateHistogram<long>(EmailBounces, description: "1 per email that bounced or was dropped, 0 per email delivered: the average is the bounce rate.");
        _unmatched = _meter.CreateCounter<long>(UnmatchedBounces, description: "Asynchronous bounces naming no message that no single email to their address matched: nothing applied, an operator looks (docs/receipts.md).");
        _atRisk = _meter.CreateCounter<long>(ReferralsAtRisk, description: "Referrals not delivered by the set time on the working day before they are due, each counted once (issue 29's deadline watch): alert when above zero.");
        _overdue = _meter.CreateCounter<long>(TasksOverdue, description: "Victim Care Unit tasks that went past their due time while open or claimed, each counted once (rulebook 1.2 section 10): alert when above zero.");
    }

    /// <summary>
    /// Counts an event. The ones worth alerting on also count on their own instrument, because Application Insights
    /// keeps custom metric dimensions out of its metric store unless asked to: an alert can only tell them apart by name.
    /// </summary>
    public void Count(string what, string? detail = null)
    {
        _events.Add(1, new KeyValuePair<string, object?>("what", what), new KeyValuePair<string, object?>("detail", detail));
        _totals.AddOrUpdate(detail is null ? what : $"{what}:{detail}", 1, (_, n) => n + 1);

        var (step, outcome) = StepAndOutcome(what, detail);
        if (outcome is "failed" or "unconfirmed")
        {
            _failures.Add(1, new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", outcome));
        }
        else if (outcome is "late")
        {
            _late.Add(1, new KeyValuePair<string, object?>("step", step));
        }
        else if (what == "task" && detail?.Split(':') is [var kind, "overdue"])
        {
            _overdue.Add(1, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    /// <summary>How many tasks the last overdue sweep found overdue (for the local run's summary; the alert watches <see cref="TasksOverdue"/>).</summary>
    public void OverdueTasks(long count) => Interlocked.Exchange(ref _overdueNow, count);

    public long OverdueNow => Interlocked.Read(ref _overdueNow);

    /// <summary>A receipt that changed a message's status: counted by channel and status, and emails feed the bounce rate.</summary>
    public void Receipt(Channel channel, ReceiptStatus status)
    {
        Count("receipt-status", $"{channel.Word()}:{status}".ToLowerInvariant());
        if (channel == Channel.Email && status is ReceiptStatus.FailedForGood or ReceiptStatus.Delivered or ReceiptStatus.SpamReported)
        {
            _bounces.Record(status == ReceiptStatus.FailedForGood ? 1 : 0);
        }
    }

    /// <summary>A referral's deadline notice (<see cref="ReferralsAtRisk"/>), once per referral.</summary>
    public void ReferralAtRisk(Referrals.Deadlines.DeadlineStanding standing)
    {
        var tag = standing.ToString().ToLowerInvariant();
        _atRisk.Add(1, new KeyValuePair<string, object?>("standing", tag));
        _totals.AddOrUpdate($"referral-deadline:{tag}", 1, (_, n) => n + 1);
    }

    /// <summary>A bounce its recipient address could not settle (<see cref="UnmatchedBounces"/>).</summary>
    public void UnmatchedBounce(bool ambiguous) =>
        _unmatched.Add(1, new KeyValuePair<string, object?>("match", ambiguous ? "ambiguous" : "none"));

    public void Waiting(string store, long count) =>
        _waiting.Record(count, new KeyValuePair<string, object?>("store", store));

    public long Total(string key) => _totals.GetValueOrDefault(key);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>("email", outcome) from the email sender; ("delivery", "Kind:outcome") from the forwarder.</summary>
    private static (string? Step, string? Outcome) StepAndOutcome(string what, string? detail) => what switch
    {
        "email" => ("email", detail),
        "delivery" when detail?.Split(':') is [var kind, var outcome] => (kind.ToLowerInvariant(), outcome),
        _ => (null, null),
    };
}
