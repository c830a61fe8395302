using Referrals.Calendar;

namespace Referrals.State;

/// <summary>A delivery's changes of status, with the times and counts that go with them.</summary>
public static class DeliveryTransition
{
    public static DeliveryState Claim(DeliveryState delivery, DateTimeOffset now) =>
        delivery with { Status = DeliveryStatus.Sending, AttemptedAt = now, Attempts = delivery.Attempts + 1 };

    /// <summary>Delivered; a referral is on time when it reached the service on or before its due date (Europe/London).</summary>
    public static DeliveryState Delivered(DeliveryState delivery, DateTimeOffset now, int? httpStatus) => delivery with
    {
        Status = DeliveryStatus.Delivered,
        Reason = null,
        DeliveredAt = now,
        HttpStatus = httpStatus,
        OnTime = delivery.DueBy is { } due ? London.DateOf(now) <= due : null,
    };

    public static DeliveryState Settle(DeliveryState delivery, DeliveryStatus status, string? reason) =>
        delivery with { Status = status, Reason = reason };
}
