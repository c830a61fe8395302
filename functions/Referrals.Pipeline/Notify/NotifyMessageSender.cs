using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// Handles one text message or letter work item, with the email step's guarantees: the victim's row is claimed
/// (Queued → Sending, ETag-checked, the send counted) before Notify is called and the result recorded right after;
/// a row found still Sending after the lease is never sent again (Unconfirmed, for an operator). A failure for good
/// passes the information to the next safe channel (<see cref="ContactRule"/>), and what that asks for is handed on.
/// </summary>
public sealed partial class NotifyMessageSender(
    EmailRows rows,
    NotifyDrafts drafts,
    NotifyGateway gateway,
    WorkOutcomes outcomes,
    IngestHandOff handOff,
    WorkingDayCalendar calendar,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    LogIds ids,
    ILogger<NotifyMessageSender> logger)
{
    /// <summary>What the operator checks in GOV.UK Notify about a send whose outcome is unknown (the reference is opaque: no personal data).</summary>
    public static string CheckNotify(string reference) =>
        $"check GOV.UK Notify for this message (GET /v2/notifications?reference={reference}); it is never sent again automatically, and replay refuses it";

    public async Task HandleAsync(WorkMessage message, EmailWorkItem item, CancellationToken cancellationToken)
    {
        var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
        if (await rows.LoadAsync(item, cancellationToken) is not { } victim)
        {
            await outcomes.DeadLetterAsync(message, "no stored state for this victim", () => LogDeadLettered(logger, loggedCrime, loggedVictim, item.Channel), cancellationToken);
            return;
        }

        if (victim.State.Contact.Held)
        {
            LogHeld(logger, item.Channel, loggedCrime, loggedVictim);
            return;
        }

        switch (ClaimRule.ForMessage(ContactRule.Message(victim.State, item.Channel), time.GetUtcNow(), options.Value.ClaimLease))
        {
            case ClaimStep.RetryLater:
                throw new RetryLaterException($"The {item.Channel} message for victim {loggedVictim} of crime {loggedCrime} is being sent by another delivery.");
            case ClaimStep.Unconfirmed:
                var sent = MessageReference.Notify(item.CrimeReference, item.VictimId, item.Channel, ContactRule.Message(victim.State, item.Channel).Attempts);
                await rows.ChangeAsync(item, victim, v => Settle(v, item.Channel, m => m with { Status = MessageStatus.Unconfirmed }), CancellationToken.None);
                await outcomes.DeadLetterAsync(message, $"a sender stopped after calling Notify and before recording the result: {CheckNotify(sent)}", () => LogDeadLettered(logger, loggedCrime, loggedVictim, item.Channel), cancellationToken);
                return;
            case ClaimStep.Send:
                await SendAsync(message, item, victim, cancellationToken);
                return;
            default:
                var status = ContactRule.Message(victim.State, item.Channel).Status;
                LogNothingToDo(logger, item.Channel, loggedCrime, loggedVictim, status);
                return;
        }
    }

    private async Task SendAsync(WorkMessage message, EmailWorkItem item, Stored<VictimState> victim, CancellationToken cancellationToken)
    {
        var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
        var month = Month.Of(time.GetUtcNow());
        if (await drafts.ForAsync(item, victim, cancellationToken) is not { } draft)
        {
            await outcomes.DeadLetterAsync(message, "no stored snapshot for this crime", () => LogDeadLettered(logger, loggedCrime, loggedVictim, item.Channel), cancellationToken);
            return;
        }

        if (draft.Message is not { } composed)
        {
            // The latest snapshot no longer makes this channel safe: the plan moves on (the snapshot's own commit does the same).
            var suppressed = await rows.ChangeAsync(item, victim,
                v => ContactRule.Of(ContactRule.Message(v, item.Channel).Status) == ChannelProgress.Open
                    ? ContactRule.Apply(Settle(v, item.Channel, m => m with { Status = MessageStatus.Suppressed, Reason = draft.NotSentBecause }), time.GetUtcNow(), month, calendar)
                    : v,
                CancellationToken.None);
            await HandOnAsync(suppressed, month);
            outcomes.Count(item.Channel.ToString().ToLowerInvariant(), "suppressed");
            return;
        }

        var now = time.GetUtcNow();
        // A new send: the id of an earlier one (a technical failure's) no longer names this message's latest send.
        var claimed = await rows.TryClaimAsync(victim, Settle(victim.State, item.Channel, m => m with { Status = MessageStatus.Sending, AttemptedAt = now, Attempts = m.Attempts + 1, NotificationId = null }) with { UpdatedAt = now })
            ?? throw new RetryLaterException($"Victim {loggedVictim} of crime {loggedCrime} changed while its {item.Channel} message was claimed.");
        var attempt = ContactRule.Message(claimed.State, item.Channel).Attempts;

        var reference = MessageReference.Notify(item.CrimeReference, item.VictimId, item.Channel, attempt);
        var outcome = await gateway.SendAsync(composed, reference, CancellationToken.None);
        var (settled, reason) = OutcomeRule.Settle(WorkOutcomes.Of(outcome), message.DequeueCount, QueueHostSettings.MaxDequeueCount, CheckNotify(reference));
        Func<MessageState, MessageState> change = settled switch
        {
            Settled.Done => m => m with { Status = MessageStatus.Sent, SentAt = time.GetUtcNow(), NotificationId = (outcome as SendOutcome.Accepted)?.MessageId, Reason = null },
            Settled.Retry => m => m with { Status = MessageStatus.Queued },
            Settled.Failed => m => m with { Status = MessageStatus.Failed, Reason = reason },
            _ => m => m with { Status = MessageStatus.Unconfirmed, Reason = reason },
        };

        // Only this send's claim is settled here: a receipt may have come first (a status never goes back; a technical
        // failure already queued the next send), and a later send is not this one's to settle.
        VictimChange? changed = null;
        async Task WriteAsync() => changed = await rows.ChangeAsync(item, claimed,
            v => ContactRule.Message(v, item.Channel) is { Status: MessageStatus.Sending or MessageStatus.Unconfirmed } sending && sending.Attempts == attempt
                ? ContactRule.Apply(Settle(v, item.Channel, change), time.GetUtcNow(), month, calendar)
                : v,
            CancellationToken.None);
        var what = item.Channel.ToString().ToLowerInvariant();
        await outcomes.RecordAsync(message, settled, reason, WriteAsync, (what, string.Empty, "sent"),
            () => LogDeadLettered(logger, loggedCrime, loggedVictim, item.Channel),
            $"{item.Channel} message for victim {loggedVictim} of crime {loggedCrime} deferred");
        await HandOnAsync(changed, month);
        if (settled == Settled.Done)
        {
            LogSent(logger, item.Channel, loggedCrime, loggedVictim);
        }
    }

    private Task HandOnAsync(VictimChange? change, Month month) =>
        change is null ? Task.CompletedTask : handOff.HandOnAsync([change], month, CancellationToken.None);

    private static VictimState Settle(VictimState victim, Channel channel, Func<MessageState, MessageState> change) =>
        channel == Channel.Sms
            ? victim with { Contact = victim.Contact with { Sms = change(victim.Contact.Sms) } }
            : victim with { Contact = victim.Contact with { Letter = change(victim.Contact.Letter) } };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} message sent through GOV.UK Notify for crime {CrimeReference} victim {VictimId}")]
    private static partial void LogSent(ILogger logger, Channel channel, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} message for crime {CrimeReference} victim {VictimId} waits: the crime is held (HoldContact)")]
    private static partial void LogHeld(ILogger logger, Channel channel, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing to send by {Channel} for crime {CrimeReference} victim {VictimId}: it is {Status}")]
    private static partial void LogNothingToDo(ILogger logger, Channel channel, string crimeReference, string victimId, MessageStatus status);

    // The reason can carry Notify's answer, so it goes to the dead-letter row only.
    [LoggerMessage(Level = LogLevel.Error, Message = "{Channel} work item for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string crimeReference, string victimId, Channel channel);
}
