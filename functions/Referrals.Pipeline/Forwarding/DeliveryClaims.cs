using Referrals.Forwarding;
using Referrals.Indexes;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Claims a delivery row (Pending → Sending, ETag-checked) before its call, or settles or defers it when it should not
/// be sent now. The rules are <see cref="ClaimRule"/>, <see cref="DeliveryWarrant"/> and <see cref="WithdrawalRule"/>.
/// </summary>
public sealed class DeliveryClaims(
    VictimStateStore states,
    DeliveryStore deliveries,
    ReferralChannels channels,
    DeliveryResults results,
    WorkOutcomes outcomes,
    TimeProvider time)
{
    /// <summary>The claimed row, or null when it was settled, counted again or dead-lettered instead.</summary>
    public async Task<Stored<DeliveryState>?> ClaimAsync(WorkMessage message, ReferralWorkItem item, ReferralChannel channel, CancellationToken cancellationToken)
    {
        // A first work item creates the row already claimed (one write for both); a withdrawal first looks at its referral.
        var fresh = item.Pending(channel.Channel, time.GetUtcNow());
        var (delivery, added) = await deliveries.GetOrAddAsync(IsWithdrawal(item.Kind) ? fresh : DeliveryTransition.Claim(fresh, time.GetUtcNow()), cancellationToken);
        if (added && !IsWithdrawal(item.Kind))
        {
            return delivery;
        }

        if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken) is not { } victim)
        {
            await results.DeadLetterAsync(message, "no stored state for this victim", item, cancellationToken);
            return null;
        }

        if (!await ReadyToSendAsync(message, item, delivery, channel, victim.State, cancellationToken))
        {
            return null;
        }

        // From the claim to the result being stored, host shutdown must not cut in (see the email sender).
        return await deliveries.TryReplaceAsync(DeliveryTransition.Claim(delivery.State, time.GetUtcNow()), delivery.ETag, CancellationToken.None, before: delivery.State)
            ?? throw new RetryLaterException($"Delivery {results.LoggedId(item)} changed while it was claimed.");
    }

    /// <summary>Whether this delivery should be claimed and sent now; settles or defers it otherwise.</summary>
    private async Task<bool> ReadyToSendAsync(WorkMessage message, ReferralWorkItem item, Stored<DeliveryState> delivery, ReferralChannel channel, VictimState victim, CancellationToken cancellationToken)
    {
        switch (ClaimRule.ForDelivery(delivery.State, time.GetUtcNow(), channels.Lease(channel), idempotent: channel.IsHttp))
        {
            case ClaimStep.Recount:
                await outcomes.CountAsync(item.CrimeReference, DeliveryTallyRule.Delivered(delivery.State), cancellationToken, IndexRule.Of(delivery.State));
                return false;
            case ClaimStep.RetryLater:
                throw new RetryLaterException($"Delivery {results.LoggedId(item)} is being sent by another delivery of its work item.");
            case ClaimStep.Unconfirmed:
                // A secure email has no idempotency key: it may have gone, so an operator decides.
                const string Reason = "a forwarder stopped after sending and before recording the result: check the mailbox before replaying";
                await results.SettleAsync(delivery, DeliveryStatus.Unconfirmed, Reason);
                await results.DeadLetterAsync(message, Reason, item, cancellationToken);
                return false;
            case ClaimStep.Send when delivery.State.Status == DeliveryStatus.Sending:
                return true; // The API dedupes on the Idempotency-Key: sending again is safe.
            case ClaimStep.Nothing:
                return false;
        }

        switch (DeliveryWarrant.NotSent(item.Kind, victim, item.TaskId))
        {
            case { Status: DeliveryStatus.Pending }:
                return false; // Held: it stays Pending, unclaimed; the snapshot that lifts the hold hands it on again.
            case { } notSent:
                await results.SettleAsync(delivery, notSent.Status, notSent.Reason);
                return false;
        }

        return !IsWithdrawal(item.Kind) || await WithdrawAsync(item, delivery, victim, cancellationToken);
    }

    /// <summary>A referral's withdrawal or erasure notice, or a Victim Care Unit task's withdrawal notice: each follows what it withdraws.</summary>
    private static bool IsWithdrawal(DeliveryKind kind) => kind is DeliveryKind.Withdrawal or DeliveryKind.TaskWithdrawn or DeliveryKind.ErasureNotice;

    /// <summary>Whether a withdrawal is to be sent: only after its referral (or the task's notice) reached the service (or the Unit).</summary>
    private async Task<bool> WithdrawAsync(ReferralWorkItem item, Stored<DeliveryState> delivery, VictimState victim, CancellationToken cancellationToken)
    {
        var referral = item.Kind == DeliveryKind.TaskWithdrawn
            ? victim.Tasks.Find(item.TaskId!) is { } task
                ? await deliveries.GetAsync(Referrals.Tasks.TaskNotice.KindOf(task.Kind), item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken, task.Id)
                : null
            : await deliveries.GetAsync(DeliveryKind.Referral, item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken);
        switch (WithdrawalRule.Next(referral?.State.Status))
        {
            case WithdrawalStep.Send:
                return true;
            case WithdrawalStep.WaitForReferral:
                throw new RetryLaterException($"The referral withdrawn by {results.LoggedId(item)} is being sent; the withdrawal follows it.");
            case WithdrawalStep.CancelReferral:
                // Not reached yet: stop it, so the service hears nothing at all.
                _ = await deliveries.TryReplaceAsync(DeliveryTransition.Settle(referral!.State, DeliveryStatus.Cancelled, WithdrawalRule.CancelledReferralReason), referral.ETag, cancellationToken, before: referral.State)
                    ?? throw new RetryLaterException($"The referral withdrawn by {results.LoggedId(item)} changed meanwhile.");
                break;
        }

        await results.SettleAsync(delivery, DeliveryStatus.Cancelled, WithdrawalRule.NothingToWithdrawReason);
        return false;
    }
}
