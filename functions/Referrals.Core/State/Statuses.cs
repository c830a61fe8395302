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
