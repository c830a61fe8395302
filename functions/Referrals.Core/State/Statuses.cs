namespace Referrals.State;

/// <summary>A victim's referral over time: this snapshot's decision, or a change from an earlier one.</summary>
public enum ReferralStatus
{
    AutoReferred,
    OptedOut,
    AwaitingConsent,
    Referred,
    Declined,

    /// <summary>Declined earlier on the consent pathway, accepted later.</summary>
    ConvertedToYes,

    /// <summary>Referred earlier, declined later: referred services get a withdrawal notice.</summary>
    Withdrawn,
}

/// <summary>
/// An entitlement message's life, on any channel (email through SendGrid, text message and letter through GOV.UK
/// Notify): at most one per victim and channel, ever, except a text message Notify says it never sent (at most 3
/// sends). The moves allowed are <see cref="MessageTransition.Allowed"/>. Stored by name.
/// </summary>
public enum MessageStatus
{
    /// <summary>Not used: the information goes, or went, by another channel (a text message or letter; an email says <see cref="Suppressed"/>, <see cref="MessageReason.AnotherChannel"/>).</summary>
    NotNeeded,

    /// <summary>Not sent, for a reason the next snapshot may change (e.g. the address not yet confirmed safe).</summary>
    Suppressed,

    /// <summary>Decided; a work item is (or will be) on the entitlement messages queue.</summary>
    Queued,

    /// <summary>Claimed by the sender, which is calling the provider now.</summary>
    Sending,

    /// <summary>The provider accepted it; its delivery receipt has not come yet.</summary>
    Sent,

    /// <summary>The provider reported it delivered (an email reported as spam arrived; a letter accepted for printing and posting).</summary>
    Delivered,

    /// <summary>
    /// Failed for good (refused by the provider, retries exhausted, a bounce, a drop, a permanent or temporary failure, or a
    /// technical failure of a letter or of a text message's third send): the next safe channel is used.
    /// </summary>
    Failed,

    /// <summary>
    /// It may have reached the provider (no answer, a dropped connection, a 5xx or a 2xx without an id after the request
    /// was sent, or a sender that stopped before recording the result). Never resent automatically; an operator settles it.
    /// </summary>
    Unconfirmed,
}

/// <summary>A delivery's life: at most one of each delivery id ever reaches its service.</summary>
public enum DeliveryStatus
{
    /// <summary>Recorded; a work item is (or will be) on the referral queue.</summary>
    Pending,

    /// <summary>Claimed by a forwarder that is calling the service now.</summary>
    Sending,

    Delivered,

    /// <summary>The service refused it for good, or retries ran out; in the dead-letter store, replayable.</summary>
    Failed,

    /// <summary>No longer warranted when its turn came (e.g. consent withdrawn first): nothing was sent.</summary>
    Cancelled,

    /// <summary>A forwarder stopped between sending a secure email and recording it: it may have been sent. Never resent automatically.</summary>
    Unconfirmed,
}
