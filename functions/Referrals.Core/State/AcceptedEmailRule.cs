using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome": "a message accepted but still without a final status when the provider's
/// retention ends" raises a ContactNeeded task. For SendGrid: an email settled as accepted (<c>Sent</c>: a 202, a
/// <c>processed</c> or <c>deferred</c> event, or the Email Activity API finding it <c>processed</c>) that never gets a final
/// event. SendGrid retries a deferred email for up to 72 hours and then bounces it ("Bounced - Expired":
/// https://www.twilio.com/docs/glossary/expired, found with the docs search 2026-12-07), and retries its Event Webhook for
/// 24 hours (<see cref="UnknownRule.SendGridSilence"/>; sendgrid/docs <c>troubleshooting.md</c> at <c>c8e1c2ed</c>), so no
/// final event can arrive <see cref="FinalEventWindow"/> after the latest send. Then, with SendGrid's Email Activity API,
/// its answer settles it (delivered, or failed for good as a bounce would); otherwise, or still without a final status, the
/// status stays as it is and the Victim Care Unit gets a ContactNeeded task (<see cref="UnknownRule.Unsettle"/>, as for
/// Notify past its retention). Never sent again, and the plan never moves on for want of an answer.
/// </summary>
public static class AcceptedEmailRule
{
    /// <summary>How long SendGrid retries a deferred email before it bounces it as expired.</summary>
    public static readonly TimeSpan DeferralRetries = TimeSpan.FromHours(72);

    /// <summary>After the latest send, the last moment a final event can still arrive: 72 hours of retries and 24 of webhook retries.</summary>
    public static readonly TimeSpan FinalEventWindow = DeferralRetries + UnknownRule.SendGridSilence;

    /// <summary>An email SendGrid accepted that still awaits a final event (not given up as unsettled).</summary>
    public static bool Awaiting(MessageState email) => email.Status == MessageStatus.Sent && !UnknownRule.Unsettled(email);

    /// <summary>When a final event can no longer come: <see cref="FinalEventWindow"/> after the latest send; null when none is awaited.</summary>
    public static DateTimeOffset? DueAt(MessageState email) =>
        Awaiting(email) && (email.AttemptedAt ?? email.SentAt) is { } at ? at + FinalEventWindow : null;

    /// <summary>
    /// The email of send <paramref name="attempt"/>, accepted and without a final event <see cref="FinalEventWindow"/> after
    /// it, given SendGrid's Email Activity API's answer (<paramref name="record"/>; null when the API is off or gave no usable
    /// answer). Found <c>delivered</c>: delivered, dated by SendGrid's <c>last_event_time</c> kept between the send and now
    /// (now without one). Found <c>not_delivered</c>: failed for good, as a bounce. Anything else: unsettled, the status as
    /// it is, a ContactNeeded task. Too soon, another send, a final or unsettled email, or an erased victim: the same state.
    /// </summary>
    public static (VictimState Next, string Reason) AfterFinalEventWindow(VictimState victim, int attempt, SendGridRecord? record, DateTimeOffset now, Month month, WorkingDayCalendar calendar)
    {
        var email = victim.Contact.Email;
        if (!Awaiting(email) || email.Attempts != attempt || Privacy.RedactionRule.IsErased(victim))
        {
            return (victim, "no final status is awaited from this send: another send, a final or unsettled email, or an erased victim");
        }

        if (DueAt(email) is not { } due || now < due)
        {
            return (victim, $"SendGrid may still report a final status until {FinalEventWindow.TotalHours:0} hours after the send");
        }

        var hours = $"{FinalEventWindow.TotalHours:0} hours after send {attempt}";
        if (record is SendGridRecord.Found { Status: ReceiptStatus.Delivered or ReceiptStatus.SpamReported or ReceiptStatus.FailedForGood } found)
        {
            var sent = email.AttemptedAt ?? email.SentAt ?? now;
            var dated = found.At is { } at ? (at < sent ? sent : at > now ? now : at) : now;
            var (next, effect) = ReceiptRule.Apply(victim, Channel.Email, found.Status, attempt, dated, now, month, calendar);
            if (effect == ReceiptEffect.Applied)
            {
                return (next, found.Status == ReceiptStatus.FailedForGood
                    ? $"SendGrid's Email Activity API reported it not delivered {hours}: failed for good, as a bounce"
                    : $"SendGrid's Email Activity API reported it delivered {hours}");
            }
        }

        var why = record switch
        {
            null => $"no final SendGrid event {hours} (SendGrid retries a deferred email for {DeferralRetries.TotalHours:0} hours, its Event Webhook for {UnknownRule.SendGridSilence.TotalHours:0})",
            SendGridRecord.NotFound => $"SendGrid's Email Activity API had no record of it {hours}, and no final event came",
            _ => $"SendGrid's Email Activity API still gave no final status {hours}",
        };
        return (UnknownRule.Unsettle(victim, Channel.Email, why + ": check SendGrid's activity feed", now, month, calendar), why);
    }
}
