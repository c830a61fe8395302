using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>The entitlement email across snapshots: at most one is ever sent, and a later snapshot may still withdraw or allow one not yet sent.</summary>
public static class EmailRule
{
    /// <summary>Once claimed by a sender (or done), no later snapshot changes the email.</summary>
    public static bool IsSettled(EmailStatus status) =>
        status is EmailStatus.Sending or EmailStatus.Sent or EmailStatus.Failed or EmailStatus.Unconfirmed;

    public static EmailState Next(EmailState? previous, EmailDecision decision, DateTimeOffset now, Month month)
    {
        if (previous is not null && IsSettled(previous.Status))
        {
            return previous;
        }

        if (!decision.Send)
        {
            return (previous ?? new EmailState(EmailStatus.Suppressed)) with
            {
                Status = EmailStatus.Suppressed,
                Reason = decision.Reason?.ToString(),
                Recipient = null,
                QueuedAt = null,
            };
        }

        // Queued keeps the time and month it was first queued: the month an email sent counts in.
        return previous is { Status: EmailStatus.Queued }
            ? previous with { Reason = null, Recipient = decision.Recipient }
            : (previous ?? new EmailState(EmailStatus.Queued)) with
            {
                Status = EmailStatus.Queued,
                Reason = null,
                Recipient = decision.Recipient,
                QueuedAt = now,
                Month = month,
            };
    }
}
