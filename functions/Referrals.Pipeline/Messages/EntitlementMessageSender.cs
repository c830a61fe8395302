using Microsoft.Extensions.Logging;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Messages;

/// <summary>
/// Handles one entitlement message work item, whatever its channel, through that channel's gateway: load the victim,
/// ask the core (<see cref="ClaimRule"/>), compose from the latest snapshot, claim (ETag-checked) before calling the
/// provider, record the result right after (<see cref="OutcomeRule"/>, <see cref="ContactRule.AfterSend"/>) and hand
/// on what it asks for. At most one message per victim and channel: a claim found older than its lease is never sent
/// again (it becomes unconfirmed, for an operator).
/// </summary>
public sealed partial class EntitlementMessageSender(
    WorkIntake intake,
    VictimChanges changes,
    MessageDrafts drafts,
    IEnumerable<IMessageGateway> gateways,
    WorkOutcomes outcomes,
    WorkingDayCalendar calendar,
    TimeProvider time,
    ILogger<EntitlementMessageSender> logger,
    MessageToken? tokens = null)
{
    private readonly IReadOnlyList<IMessageGateway> _gateways = [.. gateways];

    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        if (await intake.TakeAsync(o => o.MessageQueue, rawMessage, dequeueCount, p => MessageWorkItem.TryParse(p), "not a valid entitlement message work item",
                () => LogDeadLettered(logger, null, null, null), cancellationToken) is not var (message, item))
        {
            return;
        }

        var gateway = _gateways.First(g => g.Channels.Contains(item.Channel));
        if (await changes.LoadAsync(item.CrimeReference, item.VictimId, cancellationToken) is not { } victim)
        {
            await DeadLetterAsync(message, item, "no stored state for this victim", cancellationToken);
            return;
        }

        var claim = ClaimRule.ForMessage(victim.State, item.Channel, time.GetUtcNow(), gateway.ClaimLease, tokens);
        switch (claim.Step)
        {
            case ClaimStep.Send:
                await SendAsync(message, item, victim, claim.Next!, gateway, cancellationToken);
                return;
            case ClaimStep.RetryLater:
                throw new RetryLaterException($"Victim {message.LoggedVictim} of crime {message.LoggedCrime}: {claim.Reason}.");
            case ClaimStep.Unconfirmed:
                await changes.ApplyAsync(item.CrimeReference, item.VictimId, victim,
                    v => ClaimRule.ForMessage(v, item.Channel, time.GetUtcNow(), gateway.ClaimLease, tokens) is { Step: ClaimStep.Unconfirmed, Next: { } unconfirmed } ? unconfirmed : v, CancellationToken.None);
                await DeadLetterAsync(message, item, claim.Reason, cancellationToken);
                return;
            default:
                // Held (it waits: the snapshot that lifts the hold hands it on again), or nothing to send. The reason names no value.
                LogNotSent(logger, item.Channel, message.LoggedCrime!, message.LoggedVictim!, claim.Reason);
                return;
        }
    }

    private async Task SendAsync(WorkMessage message, MessageWorkItem item, Stored<VictimState> victim, VictimState claimed, IMessageGateway gateway, CancellationToken cancellationToken)
    {
        var month = Month.Of(time.GetUtcNow());
        if (await drafts.ForAsync(victim, item.Channel, cancellationToken) is not { } draft)
        {
            await DeadLetterAsync(message, item, "no stored snapshot for this crime", cancellationToken);
            return;
        }

        if (draft.Message is not { } composed)
        {
            await changes.ApplyAsync(item.CrimeReference, item.VictimId, victim,
                v => ContactRule.NotSendable(v, item.Channel, draft.NotSentBecause!.Value, time.GetUtcNow(), month, calendar), CancellationToken.None);
            outcomes.Count(Metric(item.Channel), "suppressed");
            return;
        }

        var held = await changes.TryClaimAsync(victim, claimed)
            ?? throw new RetryLaterException($"Victim {message.LoggedVictim} of crime {message.LoggedCrime} changed while its {item.Channel.Noun()} was claimed.");
        var attempt = claimed.Contact[item.Channel].Attempts;
        var outcome = await gateway.SendAsync(composed, attempt, CancellationToken.None);
        var settled = OutcomeRule.Settle(outcome, message.DequeueCount, QueueHostSettings.MaxDequeueCount,
            OutcomeRule.CheckBeforeReplay(item.CrimeReference, item.VictimId, item.Channel, attempt, tokens));
        await outcomes.RecordAsync(message, settled,
            () => changes.ApplyAsync(item.CrimeReference, item.VictimId, held,
                v => ContactRule.AfterSend(v, item.Channel, attempt, settled, (outcome as SendOutcome.Accepted)?.ProviderId, time.GetUtcNow(), month, calendar), CancellationToken.None),
            (Metric(item.Channel), string.Empty, "sent"),
            () => LogDeadLettered(logger, item.Channel, message.LoggedCrime, message.LoggedVictim),
            $"The {item.Channel.Noun()} for victim {message.LoggedVictim} of crime {message.LoggedCrime} deferred");
        if (settled.As == Settled.Done)
        {
            LogSent(logger, item.Channel, message.LoggedCrime!, message.LoggedVictim!);
        }
    }

    /// <summary>The metric's <c>what</c>: "email", "sms", "letter".</summary>
    private static string Metric(Channel channel) => channel.ToString().ToLowerInvariant();

    private Task DeadLetterAsync(WorkMessage message, MessageWorkItem item, string reason, CancellationToken cancellationToken) =>
        outcomes.DeadLetterAsync(message, reason, () => LogDeadLettered(logger, item.Channel, message.LoggedCrime, message.LoggedVictim), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement {Channel} sent for crime {CrimeReference} victim {VictimId}")]
    private static partial void LogSent(ILogger logger, Channel channel, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement {Channel} for crime {CrimeReference} victim {VictimId} not sent now: {Reason}")]
    private static partial void LogNotSent(ILogger logger, Channel channel, string crimeReference, string victimId, string reason);

    // The reason can carry the provider's answer, so it goes to the dead-letter row only.
    [LoggerMessage(Level = LogLevel.Error, Message = "Entitlement {Channel} work item for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, Channel? channel, string? crimeReference, string? victimId);
}
