using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Handles one referral work item: a referral, a withdrawal or a Victim Care Unit task for one victim and one
/// service. At most one of each ever reaches the service: the delivery row is claimed (Pending → Sending,
/// ETag-checked) before the call, and the victim's current state is read again after the claim, so a delivery
/// no longer warranted (consent withdrawn meanwhile) is cancelled instead of sent. The rules are
/// <see cref="ClaimRule"/>, <see cref="DeliveryWarrant"/>, <see cref="WithdrawalRule"/> and <see cref="OutcomeRule"/>.
/// </summary>
public sealed partial class ReferralForwarder(
    VictimStateStore states,
    DeliveryStore deliveries,
    RulesData rules,
    ReferralChannels channels,
    WorkOutcomes outcomes,
    IOptions<PipelineOptions> options,
    OutboundPause pause,
    TimeProvider time,
    LogIds ids,
    ILogger<ReferralForwarder> logger)
{
    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = new WorkMessage(options.Value.ReferralQueue, rawMessage, dequeueCount);
        if (await pause.HoldIfPausedAsync(message.Queue, rawMessage, cancellationToken))
        {
            return;
        }

        if (!QueueText.TryDecode(rawMessage, out var payload) || ReferralWorkItem.TryParse(payload) is not { } item)
        {
            await DeadLetterAsync(message, "not a valid referral work item", null, cancellationToken);
            return;
        }

        message = message.About(item.CrimeReference, item.VictimId);
        if (rules.Directory.ChannelOf(item.ServiceId) is not { } channel)
        {
            await DeadLetterAsync(message, $"service '{item.ServiceId}' is not in the services directory", item, cancellationToken);
            return;
        }

        // A first work item creates the row already claimed (one write for both); a withdrawal first looks at its referral.
        var fresh = item.Pending(channel.Channel, time.GetUtcNow());
        var (delivery, added) = await deliveries.GetOrAddAsync(item.Kind == DeliveryKind.Withdrawal ? fresh : DeliveryTransition.Claim(fresh, time.GetUtcNow()), cancellationToken);
        var claimed = added && item.Kind != DeliveryKind.Withdrawal ? delivery : await ClaimAsync(message, item, delivery, channel, cancellationToken);
        if (claimed is null)
        {
            return;
        }

        // Read after the claim, so a withdrawal committed before it is honoured.
        var current = await states.LoadVictimAsync(item.CrimeReference, item.VictimId, CancellationToken.None);
        var notWarranted = current is null ? "the victim's state is gone" : DeliveryWarrant.WhyNot(item.Kind, current.State.ReferralStatus);
        if ((notWarranted is null ? await DocumentAsync(item) : null) is not { } document)
        {
            await SettleAsync(claimed, DeliveryStatus.Cancelled, notWarranted ?? "the victim is not in the latest snapshot");
            if (current is null)
            {
                await DeadLetterAsync(message, "no stored state for this victim", item, CancellationToken.None);
            }

            return;
        }

        await RecordAsync(message, item, claimed, await channels.SendAsync(channel, document));
    }

    /// <summary>A delivery whose row existed (or a withdrawal): claimed if it should be sent now, else settled or deferred (null).</summary>
    private async Task<Stored<DeliveryState>?> ClaimAsync(WorkMessage message, ReferralWorkItem item, Stored<DeliveryState> delivery, ReferralChannel channel, CancellationToken cancellationToken)
    {
        if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken) is not { } victim)
        {
            await DeadLetterAsync(message, "no stored state for this victim", item, cancellationToken);
            return null;
        }

        if (!await ReadyToSendAsync(message, item, delivery, channel, victim.State, cancellationToken))
        {
            return null;
        }

        // From the claim to the result being stored, host shutdown must not cut in (see the email sender).
        return await deliveries.TryReplaceAsync(DeliveryTransition.Claim(delivery.State, time.GetUtcNow()), delivery.ETag, CancellationToken.None)
            ?? throw new RetryLaterException($"Delivery {LoggedId(item)} changed while it was claimed.");
    }

    /// <summary>Whether this delivery should be claimed and sent now; settles or defers it otherwise.</summary>
    private async Task<bool> ReadyToSendAsync(WorkMessage message, ReferralWorkItem item, Stored<DeliveryState> delivery, ReferralChannel channel, VictimState victim, CancellationToken cancellationToken)
    {
        switch (ClaimRule.ForDelivery(delivery.State, time.GetUtcNow(), channels.Lease(channel), idempotent: channel.IsHttp))
        {
            case ClaimStep.Recount:
                await outcomes.CountAsync(DeliveryTallyRule.Delivered(delivery.State), cancellationToken);
                return false;
            case ClaimStep.RetryLater:
                throw new RetryLaterException($"Delivery {LoggedId(item)} is being sent by another delivery of its work item.");
            case ClaimStep.Unconfirmed:
                // A secure email has no idempotency key: it may have gone, so an operator decides.
                const string Reason = "a forwarder stopped after sending and before recording the result: check the mailbox before replaying";
                await SettleAsync(delivery, DeliveryStatus.Unconfirmed, Reason);
                await DeadLetterAsync(message, Reason, item, cancellationToken);
                return false;
            case ClaimStep.Send when delivery.State.Status == DeliveryStatus.Sending:
                return true; // The API dedupes on the Idempotency-Key: sending again is safe.
            case ClaimStep.Nothing:
                return false;
        }

        if (DeliveryWarrant.WhyNot(item.Kind, victim.ReferralStatus) is { } notWarranted)
        {
            await SettleAsync(delivery, DeliveryStatus.Cancelled, notWarranted);
            return false;
        }

        if (item.Kind != DeliveryKind.Withdrawal)
        {
            return true;
        }

        var referral = await deliveries.GetAsync(DeliveryKind.Referral, item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken);
        switch (WithdrawalRule.Next(referral?.State.Status))
        {
            case WithdrawalStep.Send:
                return true;
            case WithdrawalStep.WaitForReferral:
                throw new RetryLaterException($"The referral withdrawn by {LoggedId(item)} is being sent; the withdrawal follows it.");
            case WithdrawalStep.CancelReferral:
                // Not reached yet: stop it, so the service hears nothing at all.
                _ = await deliveries.TryReplaceAsync(DeliveryTransition.Settle(referral!.State, DeliveryStatus.Cancelled, WithdrawalRule.CancelledReferralReason), referral.ETag, cancellationToken)
                    ?? throw new RetryLaterException($"The referral withdrawn by {LoggedId(item)} changed meanwhile.");
                break;
        }

        await SettleAsync(delivery, DeliveryStatus.Cancelled, WithdrawalRule.NothingToWithdrawReason);
        return false;
    }

    /// <summary>Built from the latest snapshot, so the service gets today's contact details and safety flags.</summary>
    private async Task<ReferralDocument?> DocumentAsync(ReferralWorkItem item)
    {
        if (item.Kind == DeliveryKind.Withdrawal)
        {
            return ReferralDocument.Withdrawal(item.CrimeReference, item.VictimId, item.ServiceId);
        }

        var crime = await states.LoadCrimeAsync(item.CrimeReference, CancellationToken.None);
        var snapshot = crime?.Snapshot(ids.Reference(item.CrimeReference));
        return snapshot?.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } victim
            ? ReferralDocument.For(item.Kind, item.ServiceId, snapshot, victim, rules.Rules.Decide(snapshot, victim))
            : null;
    }

    private async Task RecordAsync(WorkMessage message, ReferralWorkItem item, Stored<DeliveryState> delivery, DeliveryOutcome outcome)
    {
        var (settled, reason) = OutcomeRule.Settle(WorkOutcomes.Of(outcome), message.DequeueCount, QueueHostSettings.MaxDequeueCount, "check the mailbox before replaying");
        var next = settled switch
        {
            Settled.Done => DeliveryTransition.Delivered(delivery.State, time.GetUtcNow(), (outcome as DeliveryOutcome.Delivered)?.Status),
            Settled.Retry => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Pending, reason),
            Settled.Failed => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Failed, reason) with { HttpStatus = (outcome as DeliveryOutcome.Permanent)?.Status ?? delivery.State.HttpStatus },
            _ => DeliveryTransition.Settle(delivery.State, DeliveryStatus.Unconfirmed, reason),
        };
        IEnumerable<TallyEvent> counted = settled switch
        {
            Settled.Done => DeliveryTallyRule.Delivered(next),
            Settled.Failed => [DeliveryTallyRule.Failed(next)],
            _ => [],
        };
        await outcomes.RecordAsync(message, settled, reason, () => SettleAsync(delivery, next), counted, ("delivery", $"{item.Kind}:", "delivered"),
            () => LogDeadLettered(logger, ids.Reference(item.CrimeReference), ids.Victim(item.VictimId), LoggedId(item)), $"Delivery {LoggedId(item)} deferred");
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

    private Task SettleAsync(Stored<DeliveryState> delivery, DeliveryStatus status, string? reason) =>
        SettleAsync(delivery, DeliveryTransition.Settle(delivery.State, status, reason));

    /// <summary>Writes the row this forwarder holds; it is only changed elsewhere while Pending, so the ETag rarely fails.</summary>
    private async Task SettleAsync(Stored<DeliveryState> delivery, DeliveryState next)
    {
        if (await deliveries.TryReplaceAsync(next, delivery.ETag, CancellationToken.None) is null)
        {
            throw new RetryLaterException($"Delivery {ids.Delivery(next.Kind, next.CrimeReference, next.VictimId, next.ServiceId)} changed while its result was recorded.");
        }
    }

    private Task DeadLetterAsync(WorkMessage message, string reason, ReferralWorkItem? item, CancellationToken cancellationToken) =>
        outcomes.DeadLetterAsync(message, reason, () => LogDeadLettered(logger, item is null ? null : ids.Reference(item.CrimeReference), item is null ? null : ids.Victim(item.VictimId), item is null ? null : LoggedId(item)), cancellationToken);

    private string LoggedId(ReferralWorkItem item) => ids.Delivery(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} delivered for crime {CrimeReference} victim {VictimId} to {ServiceId} (on time: {OnTime})")]
    private static partial void LogDelivered(ILogger logger, string crimeReference, string victimId, DeliveryKind kind, string serviceId, bool? onTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Referral {DeliveryId} for crime {CrimeReference} delivered after its due date {DueBy}")]
    private static partial void LogLate(ILogger logger, string deliveryId, string crimeReference, string? dueBy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Referral work item {DeliveryId} for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId, string? deliveryId);
}
