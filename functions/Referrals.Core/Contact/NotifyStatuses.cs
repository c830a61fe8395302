using Referrals.State;

namespace Referrals.Contact;

/// <summary>GOV.UK Notify's statuses of a text message or letter, in the rulebook's terms.</summary>
public static class NotifyStatuses
{
    /// <summary>
    /// delivered; a letter accepted or received (printed and posted) → delivered. permanent-failure, temporary-failure
    /// (Notify's last word after its own retries), validation-failed, cancelled → failed for good. technical-failure →
    /// not sent. created, sending, pending, pending-virus-check and anything unknown → not final yet.
    /// </summary>
    public static ReceiptKind KindOf(string? status) => status switch
    {
        "delivered" or "received" or "accepted" => ReceiptKind.Delivered,
        "permanent-failure" or "temporary-failure" or "validation-failed" or "virus-scan-failed" or "cancelled" => ReceiptKind.Failed,
        "technical-failure" => ReceiptKind.NotSent,
        _ => ReceiptKind.Waiting,
    };

    /// <summary>
    /// Whether the status timer should ask Notify about a message: accepted by Notify (it has Notify's id) at least
    /// <paramref name="after"/> ago, and still without a final status (its callback has not come).
    /// </summary>
    public static bool StatusCheckDue(MessageState message, DateTimeOffset now, TimeSpan after) =>
        message is { Status: MessageStatus.Sent, NotificationId.Length: > 0, SentAt: { } sent } && now - sent >= after;
}
