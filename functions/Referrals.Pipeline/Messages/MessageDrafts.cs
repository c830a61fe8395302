using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Messages;

/// <summary>A message composed for its channel, or why none is (the latest snapshot's reason).</summary>
public sealed record MessageDraft(IEntitlementMessage? Message, MessageReason? NotSentBecause);

/// <summary>
/// The entitlement message a victim is sent on a channel, composed from the crime's latest snapshot decided again: a
/// later version may have made the channel unsafe, or no longer list the victim.
/// </summary>
public sealed class MessageDrafts(
    VictimStateStore states, ReferralRules rules, EntitlementEmailComposer emails, NotifyMessageComposer notify, IOptions<NotifyOptions> options, LogIds ids)
{
    /// <summary>The message, or why none is; null when the crime's row is gone.</summary>
    public async Task<MessageDraft?> ForAsync(Stored<VictimState> victim, Channel channel, CancellationToken cancellationToken)
    {
        if (victim.Copy?.Source == SnapshotSource.NotInLatest)
        {
            return new(null, MessageReason.NotInLatestSnapshot);
        }

        if (await states.SnapshotForAsync(victim, ids.Reference(victim.State.CrimeReference), cancellationToken) is not { } snapshot)
        {
            return null;
        }

        if (snapshot.Victims.FirstOrDefault(v => v.Id == victim.State.VictimId) is not { } person)
        {
            return new(null, MessageReason.NotInLatestSnapshot);
        }

        var decision = rules.Decide(snapshot, person);
        IEntitlementMessage? message = channel == Channel.Email
            ? emails.Compose(snapshot, person, decision)
            : notify.Compose(channel, snapshot, person, decision, options.Value.Available);
        return new(message, message is null ? decision.Contact[channel].Reason ?? ChannelSafety.NoContact(channel) : null);
    }
}
