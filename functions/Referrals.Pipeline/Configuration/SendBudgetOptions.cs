using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Configuration;

/// <summary>
/// How a message to a victim is sent once (SendGrid, GOV.UK Notify): in-process attempts within a time budget, so that
/// a claimed message is either settled or found stale after <see cref="ClaimLease"/>, never sent twice by two live senders.
/// </summary>
public abstract class SendBudgetOptions(int maxAttempts, TimeSpan maxRetryDelay)
{
    /// <summary>Attempts within one delivery of a work item before it goes back to the queue.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = maxAttempts;

    /// <summary>The longest wait between attempts; a server asking for longer gets the work item back on the queue, unsent.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxRetryDelay { get; set; } = maxRetryDelay;

    /// <summary>One HTTP call's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest one delivery spends trying to send: no attempt starts that could end after it. It bounds how long a
    /// message stays claimed (Sending) by a live sender; see <see cref="ClaimLease"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SendBudget { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A claim older than this belongs to a sender that stopped: the message may have been sent.</summary>
    public TimeSpan ClaimLease => SendBudget + TimeSpan.FromSeconds(40);
}
