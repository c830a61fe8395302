using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Handles one referral work item: a referral, a withdrawal or a Victim Care Unit task for one victim and one
/// service. At most one of each ever reaches the service: the delivery row is claimed (<see cref="DeliveryClaims"/>)
/// before the call, and the victim's current state is read again after the claim (<see cref="ReferralDocuments"/>), so
/// a delivery no longer warranted (consent withdrawn meanwhile) is cancelled instead of sent.
/// </summary>
public sealed class ReferralForwarder(
    Outbound.WorkIntake intake,
    ServiceDirectory directory,
    DeliveryClaims claims,
    ReferralDocuments documents,
    ReferralChannels channels,
    DeliveryResults results,
    Outcomes.ReferralIdStore referralIds)
{
    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        if (await intake.TakeAsync(o => o.ReferralQueue, rawMessage, dequeueCount, p => ReferralWorkItem.TryParse(p), "not a valid referral work item",
                results.DeadLetterLog(null), cancellationToken) is not var (message, item))
        {
            return;
        }

        if (directory.ChannelOf(item.ServiceId) is not { } channel)
        {
            await results.DeadLetterAsync(message, $"service '{item.ServiceId}' is not in the services directory", item, cancellationToken);
            return;
        }

        if (await claims.ClaimAsync(message, item, channel, cancellationToken) is not { } claimed)
        {
            return;
        }

        var (document, notSent, victimGone) = await documents.ForAsync(item, claimed.State.PublicId);
        if (document is null)
        {
            await results.SettleAsync(claimed, notSent!.Value.Status, notSent.Value.Reason);
            if (victimGone)
            {
                await results.DeadLetterAsync(message, "no stored state for this victim", item, CancellationToken.None);
            }

            return;
        }

        // Rulebook 1.2 section 11: the id the service will report outcomes by leads to this victim before the service has it.
        // The id a snapshot's work item carries was indexed by the ingest before it queued the item; any other is recorded here.
        if (claimed.State.PublicId is { } publicId && publicId != item.PublicId)
        {
            await referralIds.RecordAsync(publicId, item.CrimeReference, item.VictimId, item.ServiceId, CancellationToken.None);
        }

        await results.RecordAsync(message, item, claimed, await channels.SendAsync(channel, document));
    }
}
