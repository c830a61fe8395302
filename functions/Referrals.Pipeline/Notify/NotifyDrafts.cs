using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Rules;

namespace Referrals.Pipeline.Notify;

/// <summary>The text message or letter a victim is sent, decided again on the crime's latest snapshot: a later version may have made the channel unsafe.</summary>
public sealed class NotifyDrafts(VictimStateStore states, ReferralRules rules, NotifyMessageComposer composer, IOptions<NotifyOptions> options, LogIds ids)
{
    /// <summary>The message, or why none is (the channel's plan reason); null when the crime's row is gone.</summary>
    public async Task<(NotifyMessage? Message, string? NotSentBecause)?> ForAsync(EmailWorkItem item, Stored<State.VictimState> victim, CancellationToken cancellationToken)
    {
        if (victim.Copy?.Source == SnapshotSource.NotInLatest)
        {
            return (null, "NotInLatestSnapshot");
        }

        if (await states.SnapshotForAsync(victim, ids.Reference(item.CrimeReference), cancellationToken) is not { } snapshot)
        {
            return null;
        }

        if (snapshot.Victims.FirstOrDefault(v => v.Id == item.VictimId) is not { } person)
        {
            return (null, "NotInLatestSnapshot");
        }

        var decision = rules.Decide(snapshot, person);
        var message = composer.Compose(item.Channel, snapshot, person, decision, options.Value.Available);
        return (message, decision.Contact[item.Channel].Reason?.ToString() ?? (message is not null ? null : item.Channel == Channel.Sms ? nameof(ChannelReason.NoMobileNumber) : nameof(ChannelReason.NoPostalAddress)));
    }
}
