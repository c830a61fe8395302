using Microsoft.Extensions.Logging;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// How a delivery ends: its row settled (<see cref="DeliveryTransition"/>), the outcome of a call recorded through
/// <see cref="WorkOutcomes"/> (<see cref="OutcomeRule"/>, <see cref="DeliveryTallyRule"/>), or its work item dead-lettered.
/// </summary>
public sealed partial class DeliveryResults(
    DeliveryStore deliveries,
    WorkOutcomes outcomes,
    TimeProvider time,
    LogIds ids,
    ILogger<DeliveryResults> logger)
{
    public async Task RecordAsync(WorkMessage message, ReferralWorkItem item, Stored<DeliveryState> delivery, SendOutcome outcome)
    {
        var settlement = OutcomeRule.Settle(outcome, message.DequeueCount, QueueHostSettings.MaxDequeueCount, "check the mailbox before replaying");
        var (settled, reason) = (settlement.As, settlement.Detail);
        var next = settled switch
        {
            Settled.Done => DeliveryTransition.Delivered(delivery.State, time.GetUtcNow(), (outcome as SendOutcome.Accepted)?.Status),
            Settled.Retry => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Pending, reason),
            Settled.Failed => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Failed, reason) with { HttpStatus = (outcome as SendOutcome.Permanent)?.Status ?? delivery.State.HttpStatus },
            _ => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Unconfirmed, reason),
        };
        IEnumerable<TallyEvent> counted = settled switch
        {
            Settled.Done => DeliveryTallyRule.Delivered(next),
            Settled.Failed => [DeliveryTallyRule.Failed(next)],
            _ => [],
        };
        await outcomes.RecordAsync(message, settlement, () => SettleAsync(delivery, next, counted), ("delivery", $"{item.Kind}:", "delivered"),
            DeadLetterLog(item), $"Delivery {LoggedId(item)} deferred");
        if (settled == Settled.Done)
        {
            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogDelivered(logger, loggedCrime, loggedVictim, item.Kind, item.ServiceId, next.OnTime);
            if (next.OnTime == false)
            {
                LogLate(logger, LoggedId(item), ids.Reference(item.CrimeReference), next.DueBy?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                outcomes.Count("delivery", $"{item.Kind}:late");
            }
        }
    }

    public Task SettleAsync(Stored<DeliveryState> delivery, DeliveryStatus status, string? reason) =>
        SettleAsync(delivery, DeliveryTransition.Settle(delivery.State, status, reason));

    /// <summary>Writes the row this forwarder holds; it is only changed elsewhere while Pending, so the ETag rarely fails.</summary>
    public async Task SettleAsync(Stored<DeliveryState> delivery, DeliveryState next, IEnumerable<TallyEvent>? counted = null)
    {
        if (await deliveries.TryReplaceAsync(next, delivery.ETag, CancellationToken.None, counted, delivery.State) is null)
        {
            throw new RetryLaterException($"Delivery {ids.Delivery(next.Kind, next.CrimeReference, next.VictimId, next.ServiceId, next.TaskId)} changed while its result was recorded.");
        }
    }

    public Task DeadLetterAsync(WorkMessage message, string reason, ReferralWorkItem? item, CancellationToken cancellationToken) =>
        outcomes.DeadLetterAsync(message, reason, DeadLetterLog(item), cancellationToken);

    public Action DeadLetterLog(ReferralWorkItem? item) =>
        () => LogDeadLettered(logger, item is null ? null : ids.Reference(item.CrimeReference), item is null ? null : ids.Victim(item.VictimId), item is null ? null : LoggedId(item));

    public string LoggedId(ReferralWorkItem item) => ids.Delivery(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId, item.TaskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} delivered for crime {CrimeReference} victim {VictimId} to {ServiceId} (on time: {OnTime})")]
    private static partial void LogDelivered(ILogger logger, string crimeReference, string victimId, DeliveryKind kind, string serviceId, bool? onTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Referral {DeliveryId} for crime {CrimeReference} delivered after its due date {DueBy}")]
    private static partial void LogLate(ILogger logger, string deliveryId, string crimeReference, string? dueBy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Referral work item {DeliveryId} for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId, string? deliveryId);
}
