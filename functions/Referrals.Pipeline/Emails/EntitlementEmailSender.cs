using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Emails;

/// <summary>Thrown to hand a work item back to the queue for a later try (the queue's visibility timeout is the backoff).</summary>
public sealed class RetryLaterException(string message) : Exception(message);

/// <summary>
/// Handles one email work item. At most one entitlement email per victim, ever: the victim's row is
/// claimed (Queued → Sending, ETag-checked) before SendGrid is called and the result recorded right after, and a
/// row found still Sending is never sent again (it becomes Unconfirmed, for an operator to check). The rules are
/// <see cref="ClaimRule"/> and <see cref="OutcomeRule"/>.
/// </summary>
public sealed partial class EntitlementEmailSender(
    VictimStateStore states,
    ReferralRules rules,
    EntitlementEmailComposer composer,
    SendGridGateway gateway,
    WorkOutcomes outcomes,
    IOptions<PipelineOptions> options,
    IOptions<SendGridOptions> sendGrid,
    OutboundPause pause,
    TimeProvider time,
    LogIds ids,
    ILogger<EntitlementEmailSender> logger)
{
    private const string CheckSendGrid = "check SendGrid's activity for these custom_args before replaying";

    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = new WorkMessage(options.Value.EmailQueue, rawMessage, dequeueCount);
        if (await pause.HoldIfPausedAsync(message.Queue, message.Raw, cancellationToken))
        {
            return;
        }

        if (!QueueText.TryDecode(message.Raw, out var payload) || EmailWorkItem.TryParse(payload) is not { } item)
        {
            await DeadLetterAsync(message, "not a valid email work item", cancellationToken);
            return;
        }

        message = message.About(item.CrimeReference, item.VictimId);
        if (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken) is not { } victim)
        {
            await DeadLetterAsync(message, "no stored state for this victim", cancellationToken);
            return;
        }

        switch (ClaimRule.ForEmail(victim.State.Email, time.GetUtcNow(), sendGrid.Value.ClaimLease))
        {
            case ClaimStep.RetryLater:
                // Another delivery of this work item is sending right now; come back when it has finished.
                throw new RetryLaterException($"The email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} is being sent by another delivery.");
            case ClaimStep.Unconfirmed:
                await UpdateAsync(item, victim, e => e with { Status = EmailStatus.Unconfirmed }, CancellationToken.None);
                await DeadLetterAsync(message, $"a sender stopped after calling SendGrid and before recording the result: {CheckSendGrid}", cancellationToken);
                return;
            case ClaimStep.Recount:
                // Recorded again in case a crash came between marking it Sent and counting it: counting is idempotent.
                await outcomes.CountAsync([TallyRule.EmailSent(victim.State, Month.Of(time.GetUtcNow()))], cancellationToken);
                break;
            case ClaimStep.Send when await states.LoadCrimeAsync(item.CrimeReference, cancellationToken) is { } crime:
                await SendAsync(message, item, victim, crime);
                return;
            case ClaimStep.Send:
                await DeadLetterAsync(message, "no stored state for this victim", cancellationToken);
                return;
        }

        var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
        LogNothingToDo(logger, loggedCrime, loggedVictim, victim.State.Email.Status);
    }

    private async Task SendAsync(WorkMessage message, EmailWorkItem item, Stored<VictimState> victim, CrimeStateEntity crime)
    {
        // Decided again on the latest snapshot: a later version may have made email unsafe.
        var snapshot = crime.Snapshot(ids.Reference(crime.CrimeReference));
        var email = snapshot.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } person && rules.Decide(snapshot, person) is var decision
            ? (composer.Compose(snapshot, person, decision), decision.Email.Reason?.ToString())
            : (null, "NotInLatestSnapshot");
        if (email.Item1 is not { } composed)
        {
            await UpdateAsync(item, victim, e => e with { Status = EmailStatus.Suppressed, Reason = email.Item2 }, CancellationToken.None);
            outcomes.Count("email", "suppressed");
            return;
        }

        // From the claim to the result being stored, host shutdown must not cut in: a stop in that window could
        // leave an email sent but not recorded. The storage and SendGrid timeouts bound it instead.
        var now = time.GetUtcNow();
        var claimed = await states.TryReplaceAsync(victim.State with { Email = victim.State.Email with { Status = EmailStatus.Sending, AttemptedAt = now }, UpdatedAt = now }, victim.ETag, CancellationToken.None);
        if (claimed is null)
        {
            var latest = await states.LoadVictimAsync(item.CrimeReference, item.VictimId, CancellationToken.None);
            if (latest?.State.Email.Status == EmailStatus.Queued)
            {
                throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} changed while its email was claimed.");
            }

            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogNothingToDo(logger, loggedCrime, loggedVictim, latest?.State.Email.Status);
            return;
        }

        var outcome = await gateway.SendAsync(composed, CancellationToken.None);
        var (settled, reason) = OutcomeRule.Settle(WorkOutcomes.Of(outcome), message.DequeueCount, Configuration.QueueHostSettings.MaxDequeueCount, CheckSendGrid);
        Func<EmailState, EmailState> change = settled switch
        {
            Settled.Done => e => e with { Status = EmailStatus.Sent, SentAt = time.GetUtcNow(), MessageId = (outcome as SendOutcome.Accepted)?.MessageId, Reason = null },
            Settled.Retry => e => e with { Status = EmailStatus.Queued },
            Settled.Failed => e => e with { Status = EmailStatus.Failed, Reason = reason },
            _ => e => e with { Status = EmailStatus.Unconfirmed, Reason = reason },
        };
        await outcomes.RecordAsync(message, settled, reason, () => UpdateAsync(item, claimed, change, CancellationToken.None),
            settled == Settled.Done ? [TallyRule.EmailSent(claimed.State, Month.Of(time.GetUtcNow()))] : [], ("email", string.Empty, "sent"),
            () => LogDeadLettered(logger, ids.Reference(item.CrimeReference), ids.Victim(item.VictimId)),
            $"Email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} deferred");
        if (settled == Settled.Done)
        {
            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogSent(logger, loggedCrime, loggedVictim);
        }
    }

    /// <summary>
    /// Applies a change to the victim's email: to the row this sender holds when it is still current (one request),
    /// else to the latest row, reloading if a newer snapshot changed it meanwhile.
    /// </summary>
    private async Task UpdateAsync(EmailWorkItem item, Stored<VictimState>? held, Func<EmailState, EmailState> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var victim = attempt == 1 && held is not null ? held : await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken);
            if (victim is null
                || await states.TryReplaceAsync(victim.State with { Email = change(victim.State.Email), UpdatedAt = time.GetUtcNow() }, victim.ETag, cancellationToken) is not null)
            {
                return;
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} kept changing while its email result was recorded.");
    }

    private Task DeadLetterAsync(WorkMessage message, string reason, CancellationToken cancellationToken) =>
        outcomes.DeadLetterAsync(message, reason, () => LogDeadLettered(logger,
            message.CrimeReference is null ? null : ids.Reference(message.CrimeReference), message.VictimId is null ? null : ids.Victim(message.VictimId)), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement email sent for crime {CrimeReference} victim {VictimId}")]
    private static partial void LogSent(ILogger logger, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing to send for crime {CrimeReference} victim {VictimId}: email is {EmailStatus}")]
    private static partial void LogNothingToDo(ILogger logger, string crimeReference, string victimId, EmailStatus? emailStatus);

    // The reason can carry SendGrid's answer, so it goes to the dead-letter row only.
    [LoggerMessage(Level = LogLevel.Error, Message = "Email work item for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId);
}
