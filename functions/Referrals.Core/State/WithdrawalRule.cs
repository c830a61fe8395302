namespace Referrals.State;

/// <summary>What a withdrawal does, given how far the referral it withdraws has got.</summary>
public enum WithdrawalStep
{
    /// <summary>The referral reached the service, or may have (Unconfirmed): better a withdrawal it does not need than a referral left standing.</summary>
    Send,

    /// <summary>The referral is being sent right now: the withdrawal follows it.</summary>
    WaitForReferral,

    /// <summary>The referral has not gone yet: cancel it, so the service hears nothing at all; the withdrawal is then not needed.</summary>
    CancelReferral,

    /// <summary>The referral never reached the service (none, failed or cancelled): nothing to withdraw.</summary>
    NothingToWithdraw,
}

public static class WithdrawalRule
{
    public const string NothingToWithdrawReason = "the referral never reached the service: nothing to withdraw";

    public const string CancelledReferralReason = "withdrawn before it was delivered";

    public static WithdrawalStep Next(DeliveryStatus? referral) => referral switch
    {
        DeliveryStatus.Delivered or DeliveryStatus.Unconfirmed => WithdrawalStep.Send,
        DeliveryStatus.Sending => WithdrawalStep.WaitForReferral,
        DeliveryStatus.Pending => WithdrawalStep.CancelReferral,
        _ => WithdrawalStep.NothingToWithdraw,
    };
}
