namespace Referrals.Forwarding;

/// <summary>What is delivered to a service or to the Victim Care Unit.</summary>
public enum DeliveryKind
{
    /// <summary>A victim referred to a commissioned service.</summary>
    Referral,

    /// <summary>A referred victim withdrew: the service already reached is told to stop.</summary>
    Withdrawal,

    /// <summary>A consent-pathway victim declined: the Victim Care Unit offers a single support session.</summary>
    SingleSessionOffer,

    /// <summary>A consent-pathway victim has not been asked: the Victim Care Unit seeks their consent.</summary>
    ConsentRequest,
}

/// <summary>Deterministic delivery ids: the same victim, service and kind always give the same id, the partner's Idempotency-Key.</summary>
public static class DeliveryId
{
    public static string For(DeliveryKind kind, string crimeReference, string victimId, string serviceId) => kind switch
    {
        DeliveryKind.Referral => $"ref:{crimeReference}:{victimId}:{serviceId}",
        DeliveryKind.Withdrawal => $"wd:{crimeReference}:{victimId}:{serviceId}",
        DeliveryKind.SingleSessionOffer => $"vcu-session:{crimeReference}:{victimId}",
        DeliveryKind.ConsentRequest => $"vcu-consent:{crimeReference}:{victimId}",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
