using Microsoft.Extensions.Logging;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Emails;

/// <summary>
/// Handles one email work item. At most one entitlement email per victim, ever: the victim's row is
/// claimed (Queued → Sending, ETag-checked) before SendGrid is called and the result recorded right after, and a
/// row found still Sending is never sent again (it becomes Unconfirmed, for an operator to check). The rules are
/// <see cref="ClaimRule"/> and <see cref="OutcomeRule"/>.
/// </summary>
public sealed partial class EntitlementEmailSender(
    WorkIntake intake,
    EmailRows rows,
    EmailDrafts drafts,
    SendGridGateway gateway,
    WorkOutcomes outcomes,
    NotifyMessageSender notify,
    IngestHandOff handOff,
    WorkingDayCalendar calendar,
    TimeProvider time,
    LogIds ids,
    ILogger<EntitlementEmailSender> logger)
{
    private const string CheckSendGrid = "check SendGrid's activity for these custom_args before replaying";

    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        if (await intake.TakeAsync(o => o.EmailQueue, rawMessage, dequeueCount, p => EmailWorkItem.TryParse(p), "not a valid email work item",
                () => LogDeadLettered(logger, null, null), cancellationToken) is not var (message, item))
        {
            return;
        }

        message = message.About(item.CrimeReference, item.VictimId);
        if (item.Channel != Channel.Email)
        {
            await notify.HandleAsync(message, item, cancellationToken);
            return;
        }

        var victim = await rows.LoadAsync(item, cancellationToken);
        if (victim is { State.Contact.Held: true })
        {
            // Rulebook 1.1 section 9: it stays Queued; the snapshot that lifts the hold hands it on again.
            var (heldCrime, heldVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogHeld(logger, heldCrime, heldVictim);
            return;
        }

        switch (victim is null ? (ClaimStep?)null : rows.StepFor(victim))
        {
            case ClaimStep.RetryLater:
                // Another delivery of this work item is sending right now; come back when it has finished.
                throw new RetryLaterException($"The email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} is being sent by another delivery.");
            case ClaimStep.Unconfirmed:
                await rows.UpdateAsync(item, victim, e => e with { Status = EmailStatus.Unconfirmed }, CancellationToken.None);
                await DeadLetterAsync(message, $"a sender stopped after calling SendGrid and before recording the result: {CheckSendGrid}", cancellationToken);
                return;
            case ClaimStep.Recount:
                // Recorded again in case a crash came between marking it Sent and counting it: counting is idempotent.
                await outcomes.CountAsync(item.CrimeReference, [TallyRule.EmailSent(victim!.State, Month.Of(time.GetUtcNow()))], cancellationToken);
                break;
            case ClaimStep.Send when await drafts.ForAsync(victim!, cancellationToken) is { } draft:
                await SendAsync(message, item, victim!, draft);
                return;
            case ClaimStep.Send or null:
                await DeadLetterAsync(message, "no stored state for this victim", cancellationToken);
                return;
        }

        var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
        LogNothingToDo(logger, loggedCrime, loggedVictim, victim!.State.Email.Status);
    }

    private async Task SendAsync(WorkMessage message, EmailWorkItem item, Stored<VictimState> victim, (EntitlementEmail? Email, string? SuppressedBecause) draft)
    {
        if (draft.Email is not { } composed)
        {
            await rows.UpdateAsync(item, victim, e => e with { Status = EmailStatus.Suppressed, Reason = draft.SuppressedBecause }, CancellationToken.None);
            outcomes.Count("email", "suppressed");
            return;
        }

        var (claimed, now) = await rows.ClaimAsync(item, victim);
        if (claimed is null)
        {
            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogNothingToDo(logger, loggedCrime, loggedVictim, now);
            return;
        }

        var outcome = await gateway.SendAsync(composed, CancellationToken.None);
        var (settled, reason) = OutcomeRule.Settle(WorkOutcomes.Of(outcome), message.DequeueCount, QueueHostSettings.MaxDequeueCount, CheckSendGrid);
        Func<EmailState, EmailState> change = settled switch
        {
            Settled.Done => e => e with { Status = EmailStatus.Sent, SentAt = time.GetUtcNow(), MessageId = (outcome as SendOutcome.Accepted)?.MessageId, Reason = null },
            Settled.Retry => e => e with { Status = EmailStatus.Queued },
            Settled.Failed => e => e with { Status = EmailStatus.Failed, Reason = reason },
            _ => e => e with { Status = EmailStatus.Unconfirmed, Reason = reason },
        };
        IReadOnlyList<TallyEvent> counted = settled == Settled.Done ? [TallyRule.EmailSent(claimed.State, Month.Of(time.GetUtcNow()))] : [];
        VictimChange? changed = null;
        var month = Month.Of(time.GetUtcNow());

        // A receipt may have come first (delivered or bounced): a status never goes back. A failure passes the
        // information to the next safe channel, or asks the Victim Care Unit to make contact (ContactRule).
        async Task WriteAsync() => changed = await rows.ChangeAsync(item, claimed,
            v => ContactRule.Of(v.Email.Status) is ChannelProgress.Delivered or ChannelProgress.Failed ? v : ContactRule.Apply(v with { Email = change(v.Email) }, time.GetUtcNow(), month, calendar),
            CancellationToken.None, counted);
        await outcomes.RecordAsync(message, settled, reason, WriteAsync, ("email", string.Empty, "sent"),
            () => LogDeadLettered(logger, ids.Reference(item.CrimeReference), ids.Victim(item.VictimId)),
            $"Email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} deferred");
        if (changed is not null && settled != Settled.Done)
        {
            await handOff.HandOnAsync([changed], month, CancellationToken.None);
        }

        if (settled == Settled.Done)
        {
            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogSent(logger, loggedCrime, loggedVictim);
        }
    }

    private Task DeadLetterAsync(WorkMessage message, string reason, CancellationToken cancellationToken) =>
        outcomes.DeadLetterAsync(message, reason, () => LogDeadLettered(logger, ids.Reference(message.CrimeReference!), ids.Victim(message.VictimId!)), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement email for crime {CrimeReference} victim {VictimId} waits: the crime is held (HoldContact)")]
    private static partial void LogHeld(ILogger logger, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement email sent for crime {CrimeReference} victim {VictimId}")]
    private static partial void LogSent(ILogger logger, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing to send for crime {CrimeReference} victim {VictimId}: email is {EmailStatus}")]
    private static partial void LogNothingToDo(ILogger logger, string crimeReference, string victimId, EmailStatus? emailStatus);

    // The reason can carry SendGrid's answer, so it goes to the dead-letter row only.
    [LoggerMessage(Level = LogLevel.Error, Message = "Email work item for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId);
}
