using Referrals.Forwarding;

namespace Referrals.State;

/// <summary>Victim Care Unit tasks: a single-session offer for a consent-pathway decline, a consent request while consent is awaited; each at most once.</summary>
public static class VcuTaskRule
{
    public static DeliveryKind? Due(ReferralStatus status, bool singleSessionOffer) => status switch
    {
        ReferralStatus.Declined when singleSessionOffer => DeliveryKind.SingleSessionOffer,
        ReferralStatus.AwaitingConsent => DeliveryKind.ConsentRequest,
        _ => null,
    };
}
