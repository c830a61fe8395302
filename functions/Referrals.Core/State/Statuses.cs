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

/// <summary>The entitlement email's life: at most one is ever sent to a victim.</summary>
public enum EmailStatus
{
    /// <summary>Not sent, for a reason the next snapshot may change (e.g. address not yet confirmed safe).</summary>
    Suppressed,

    /// <summary>Decided; a work item is (or will be) on the email queue.</summary>
    Queued,

    /// <summary>Claimed by a sender that is calling SendGrid now.</summary>
    Sending,

    Sent,

    /// <summary>SendGrid refused it for good, or the retries ran out; in the dead-letter store.</summary>
    Failed,

    /// <summary>A sender stopped between calling SendGrid and recording the result: it may have been sent. Never resent automatically.</summary>
    Unconfirmed,

    /// <summary>SendGrid's Event Webhook reported it delivered (or reported as spam, which means it arrived).</summary>
    Delivered,
}

/// <summary>A text message's or a letter's life (GOV.UK Notify): at most one of each per victim, ever, except a text message Notify says it never sent (at most 3 sends).</summary>
public enum MessageStatus
{
    /// <summary>Not used: the information goes, or went, by another channel.</summary>
    NotNeeded,

    /// <summary>Not safe for this victim now (the plan's reason); the next snapshot may change that.</summary>
    Suppressed,

    /// <summary>Decided; a work item is (or will be) on the messages queue.</summary>
    Queued,

    /// <summary>Claimed by a sender that is calling Notify now.</summary>
    Sending,

    /// <summary>Notify accepted it (201); its delivery receipt has not come yet.</summary>
    Sent,

    /// <summary>Delivered to the phone, or, for a letter, accepted by Notify's printer for printing and posting.</summary>
    Delivered,

    /// <summary>
    /// Failed for good (Notify refused it, or reported a permanent or temporary failure after its own retries, or a
    /// technical failure of a letter or of a text message's third send): the next safe channel is used.
    /// </summary>
    Failed,

    /// <summary>
    /// It may have reached Notify (no answer, a dropped connection, a 5xx or a 2xx without an id after the request
    /// was sent, or a sender that stopped before recording the result). Never resent; an operator settles it.
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
