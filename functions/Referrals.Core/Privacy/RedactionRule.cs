using Referrals.Contact;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Privacy;

/// <summary>
/// The one redaction of a victim's stored state (docs/privacy.md), called by the erasure and the retention purge: a
/// partner's or provider's answer may quote what was sent (a name, a number, an address), so it is cut from every
/// message's and delivery's reason (<see cref="AuditRule.WithoutAnswer"/>); the statuses and the pipeline's own words stay.
/// </summary>
public static class RedactionRule
{
    /// <summary>The state with every message's answer cut; the same state when there was none.</summary>
    public static VictimState WithoutAnswers(VictimState victim) =>
        ChannelNames.InOrder.Aggregate(victim, (state, channel) => WithoutAnswer(state.Contact[channel]) is var cut && !ReferenceEquals(cut, state.Contact[channel]) ? state.With(channel, cut) : state);

    /// <summary>The delivery with a service's answer cut from its reason; the same delivery when there was none.</summary>
    public static DeliveryState WithoutAnswer(DeliveryState delivery) =>
        delivery.Reason is { } reason && AuditRule.WithoutAnswer(reason) is var cut && cut != reason ? delivery with { Reason = cut } : delivery;

    /// <summary>
    /// An operator's erasure: nothing is sent to the victim any more (an email not sent, or failed, is suppressed with the
    /// reason Erased; the crime's snapshot no longer lists them) and every answer is cut.
    /// </summary>
    public static VictimState Erase(VictimState victim, DateTimeOffset now)
    {
        var email = victim.Contact.Email;
        var erased = email.Status is MessageStatus.Queued or MessageStatus.Suppressed or MessageStatus.Failed
            ? victim.With(Channel.Email, MessageTransition.Settle(email, MessageStatus.Suppressed, MessageReason.Erased, null))
            : victim;

        // The marker a receipt reads (IsErased), in the erasure's own write; the open tasks are withdrawn right after
        // (TaskRetention), which keeps it.
        return WithoutAnswers(erased) with { UpdatedAt = now, TaskBook = erased.Tasks with { Closed = TaskWithdrawal.Erased } };
    }

    /// <summary>
    /// Rulebook 1.2 section 6: an operator erased the victim's personal data, so a provider's receipt or callback about them
    /// is acknowledged and counted and changes nothing (no message settled, no channel queued, no tally).
    /// </summary>
    public static bool IsErased(VictimState victim) =>
        victim.Tasks.Closed == TaskWithdrawal.Erased || victim.Contact.Email.Reason == MessageReason.Erased;

    private static MessageState WithoutAnswer(MessageState message) =>
        message.Detail is { } detail && AuditRule.WithoutAnswer(detail) is var cut && cut != detail ? message with { Detail = cut } : message;
}
