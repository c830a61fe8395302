using System.Globalization;
using System.Text.RegularExpressions;
using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Privacy;

/// <summary>
/// The audit entry of each change of a victim's state, from the state before and after it: pure, so the entry
/// written is exactly the change committed with it. Values are statuses, ids, dates and reasons; never a name,
/// contact detail, date of birth or a partner's answer.
/// </summary>
public static partial class AuditRule
{
    private const string AnswerNotKept = "(the answer is not kept)";

    /// <summary>A snapshot decided for a victim: the decision, its reasons and what history made of it.</summary>
    /// <param name="consent">The victim's answer about support in this snapshot.</param>
    public static AuditEntry OfSnapshot(string eventId, VictimChange change, VictimDecision decision, SupportAnswer consent, string rulesVersion)
    {
        var (before, next) = (change.Previous, change.Next);
        List<string> facts =
        [
            Fact("pathway", before?.Pathway, next.Pathway),
            Is("consent answer", consent),
            Fact("referral decision", before?.Referral, next.Referral),
            Fact("referral status", before?.ReferralStatus, next.ReferralStatus),
            Fact("services referred", List(before?.ReferredServices), List(next.ReferredServices)),
            Fact("services eligible", List(before?.EligibleServices), List(next.EligibleServices)),
            Fact("Victim Care Unit tasks", List(before?.VcuTasks), List(next.VcuTasks)),
            Fact("referral due by", before?.ReferralDueBy, next.ReferralDueBy),
            Fact("enhanced rights", before?.EnhancedRights, next.EnhancedRights),
            Fact("child", before?.Child, next.Child),
            Fact("email", before?.Contact.Email.Status, next.Contact.Email.Status),
        ];
        if (next.Contact.Email.Recipient is { } recipient)
        {
            facts.Add(Is("email recipient", recipient));
        }

        if (next.Contact.Email.ReasonText is { } reason)
        {
            facts.Add(Is("email reason", WithoutAnswer(reason)));
        }

        if (next.Consent is { UnitDecidedAt: { } decidedAt } inForce)
        {
            facts.Add(Is("decision in force", $"{inForce.Support}, recorded by the Victim Care Unit at {Text(decidedAt)}"));
        }

        facts.AddRange(OfTasks(before, next));
        return new AuditEntry(next.VictimId, next.UpdatedAt, AuditAction.Snapshot, eventId, next.Version, rulesVersion, facts,
            [.. decision.Reasons, .. change.Reasons]);
    }

    /// <summary>The entitlement messages' state changed (claimed, sent, failed, suppressed, requeued...): the email's always, a text message's or letter's when it changed.</summary>
    public static AuditEntry OfMessages(VictimState? before, VictimState next)
    {
        var email = next.Contact.Email;
        List<string> facts = [Fact("email", before?.Contact.Email.Status, email.Status)];
        if (email.SentAt is { } sentAt)
        {
            facts.Add(Is("email sent at", sentAt));
        }

        if (email.ProviderId is { } messageId)
        {
            facts.Add(Is("email message id", messageId));
        }

        // The same write carries the text message's and the letter's changes (rulebook section 6): each one is recorded.
        List<string> reasons = email.ReasonText is { } reason ? [WithoutAnswer(reason)] : [];
        foreach (var channel in new[] { Contact.Channel.Sms, Contact.Channel.Letter })
        {
            var (was, now) = (before?.Contact[channel], next.Contact[channel]);
            if (was != now)
            {
                facts.Add(Fact(Contact.ChannelNames.Noun(channel), was?.Status, now.Status));
                if (now.ReasonText is { } why && why != was?.ReasonText)
                {
                    reasons.Add(WithoutAnswer(why));
                }
            }
        }

        facts.AddRange(OfTasks(before, next));
        return new AuditEntry(next.VictimId, next.UpdatedAt, AuditAction.Email, null, next.Version, null, facts, reasons);
    }

    /// <summary>A delivery was created or changed.</summary>
    public static AuditEntry OfDelivery(DeliveryState? before, DeliveryState next, DateTimeOffset at)
    {
        List<string> facts =
        [
            Is("delivery", $"{next.Kind} to {next.ServiceId} by {next.Channel}"),
            Fact("delivery status", before?.Status, next.Status),
            Fact("attempts", before?.Attempts, next.Attempts),
        ];
        if (next.DueBy is { } dueBy)
        {
            facts.Add(Is("due by", dueBy));
        }

        if (next.DeliveredAt is { } deliveredAt)
        {
            facts.Add(Is("delivered at", deliveredAt));
            facts.Add(Is("on time", next.OnTime));
        }

        if (next.HttpStatus is { } status)
        {
            facts.Add(Is("service answered", status));
        }

        return new AuditEntry(next.VictimId, at, AuditAction.Delivery, null, null, null, facts, next.Reason is { } reason ? [WithoutAnswer(reason)] : []);
    }

    /// <summary>
    /// The Victim Care Unit's tasks that a change raised or changed (rulebook 1.2 section 10): id, kind, state, due time,
    /// outcome or reason for withdrawal, and who claimed it. Codes and times only.
    /// </summary>
    public static IEnumerable<string> OfTasks(VictimState? before, VictimState next)
    {
        foreach (var task in next.Tasks.Tasks)
        {
            var was = before?.Tasks.Find(task.Id);
            if (was is not null && was.Equals(task))
            {
                continue;
            }

            var state = task.State switch
            {
                Tasks.TaskState.Claimed => $"Claimed by {task.ClaimedBy}",
                Tasks.TaskState.Done => $"Done ({task.Outcome})",
                Tasks.TaskState.Withdrawn => $"Withdrawn ({task.WithdrawnBecause})",
                _ => "Open",
            };
            var due = task.DueAt is { } at ? $", due {Text(at)}" : ", not actionable until the hold is lifted";
            yield return was is null ? $"task {task.Id} {task.Kind}: raised, {state}{due}" : $"task {task.Id} {task.Kind}: {(was.State == task.State && was.ClaimedBy == task.ClaimedBy ? state : $"{(was.State == Tasks.TaskState.Claimed ? $"Claimed by {was.ClaimedBy}" : was.State)} → {state}")}{due}";
        }
    }

    /// <summary>An operator's command on the victim, with who ran it and why.</summary>
    public static AuditEntry OfOperator(string victimId, AuditAction action, DateTimeOffset at, string operatorName, string? reason, IReadOnlyList<string> facts) =>
        new(victimId, at, action, null, null, null, facts, reason is null ? [] : [reason], operatorName);

    /// <summary>The retention function removed the victim's personal data.</summary>
    public static AuditEntry OfPurge(string victimId, DateTimeOffset at, long crimeVersion, int days) =>
        new(victimId, at, AuditAction.Purge, null, crimeVersion, null, ["personal data: removed (snapshot emptied, partners' answers cut)"],
            [$"retention: {days.ToString(CultureInfo.InvariantCulture)} days after the crime's last change"], "retention function");

    /// <summary>
    /// A reason as the audit keeps it: a partner's answer (after "NNN Status: ") may quote the victim, so it is cut off.
    /// The statuses and the pipeline's own words stay.
    /// </summary>
    public static string WithoutAnswer(string reason) =>
        PartnerAnswer().Match(reason) is { Success: true } match ? $"{reason[..(match.Index + match.Length)]}{AnswerNotKept}" : reason;

    private static string Is(string name, object? value) => $"{name}: {Text(value)}";

    private static string Fact<T>(string name, T? before, T next) =>
        before is null || Equals(before, next) ? $"{name}: {Text(next)}" : $"{name}: {Text(before)} → {Text(next)}";

    private static string? List<T>(IEnumerable<T>? values) => values is null ? null : string.Join(", ", values) is { Length: > 0 } joined ? joined : "none";

    private static string Text(object? value) => value switch
    {
        null => "none",
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        bool flag => flag ? "yes" : "no",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "none",
    };

    // "…: 400 BadRequest: " — what follows is the partner's own text.
    [GeneratedRegex(@": \d{3} [A-Za-z]+: ", RegexOptions.CultureInvariant)]
    private static partial Regex PartnerAnswer();
}
