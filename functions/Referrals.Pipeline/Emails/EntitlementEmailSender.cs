using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Emails;

/// <summary>Thrown to hand a work item back to the queue for a later try (the queue's visibility timeout is the backoff).</summary>
public sealed class RetryLaterException(string message) : Exception(message);

/// <summary>
/// Handles one email work item. At most one entitlement email per victim, ever: the victim's row is
/// claimed (Queued → Sending, ETag-checked) before SendGrid is called and marked Sent right after, and a
/// row found still Sending is never sent again (it becomes Unconfirmed, for an operator to check).
/// </summary>
public sealed partial class EntitlementEmailSender(
    VictimStateStore states,
    ReferralRules rules,
    EntitlementEmailComposer composer,
    SendGridGateway gateway,
    DeadLetterStore deadLetters,
    TallyStore tallies,
    PipelineMetrics metrics,
    IOptions<PipelineOptions> options,
    IOptions<SendGridOptions> sendGridOptions,
    OutboundPause pause,
    TimeProvider time,
    LogIds ids,
    ILogger<EntitlementEmailSender> logger)
{
    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        if (await pause.HoldIfPausedAsync(options.Value.EmailQueue, rawMessage, cancellationToken))
        {
            return;
        }

        if (!QueueText.TryDecode(rawMessage, out var payload) || EmailWorkItem.TryParse(payload) is not { } item)
        {
            await DeadLetterAsync(rawMessage, "not a valid email work item", dequeueCount, null, cancellationToken);
            return;
        }

        var (crime, victim) = await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken);
        if (crime is null || victim is null)
        {
            await DeadLetterAsync(rawMessage, "no stored state for this victim", dequeueCount, item, cancellationToken);
            return;
        }

        if (victim.EmailStatus == nameof(EmailStatus.Sending))
        {
            if (time.GetUtcNow() - victim.EmailAttemptedAt < sendGridOptions.Value.ClaimLease)
            {
                // Another delivery of this work item is sending right now; come back when it has finished.
                throw new RetryLaterException($"The email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} is being sent by another delivery.");
            }

            await UpdateAsync(item, v => v.EmailStatus = nameof(EmailStatus.Unconfirmed), CancellationToken.None);
            await DeadLetterAsync(rawMessage, "a sender stopped after calling SendGrid and before recording the result: check SendGrid's activity for these custom_args before replaying", dequeueCount, item, cancellationToken);
            return;
        }

        if (victim.EmailStatus == nameof(EmailStatus.Sent))
        {
            // Recorded again in case a crash came between marking it Sent and counting it: counting is idempotent.
            await tallies.RecordAsync([SentEvent(victim)], cancellationToken);
        }

        if (victim.EmailStatus != nameof(EmailStatus.Queued))
        {
            var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
            LogNothingToDo(logger, loggedCrime, loggedVictim, victim.EmailStatus);
            return;
        }

        var email = ComposeFromLatest(crime, item.VictimId, out var suppression);
        if (email is null)
        {
            await UpdateAsync(item, v => (v.EmailStatus, v.EmailReason) = (nameof(EmailStatus.Suppressed), suppression), cancellationToken);
            metrics.Count("email", "suppressed");
            return;
        }

        // From the claim to the result being stored, host shutdown must not cut in: a stop in that window could
        // leave an email sent but not recorded. The storage and SendGrid timeouts bound it instead.
        if (!await TryClaimAsync(victim, CancellationToken.None))
        {
            return;
        }

        var outcome = await gateway.SendAsync(email, CancellationToken.None);
        await RecordAsync(item, victim, outcome, rawMessage, dequeueCount);
    }

    /// <summary>Queued → Sending, only if nobody changed the row since it was read: two deliveries of one work item cannot both send.</summary>
    private async Task<bool> TryClaimAsync(VictimStateEntity victim, CancellationToken cancellationToken)
    {
        victim.EmailStatus = nameof(EmailStatus.Sending);
        victim.EmailAttemptedAt = time.GetUtcNow();
        victim.UpdatedAt = time.GetUtcNow();
        if (await states.TryReplaceAsync(victim, cancellationToken))
        {
            return true;
        }

        var (_, latest) = await states.LoadVictimAsync(victim.CrimeReference, victim.VictimId, cancellationToken);
        if (latest?.EmailStatus == nameof(EmailStatus.Queued))
        {
            throw new RetryLaterException($"Victim {ids.Victim(victim.VictimId)} of crime {ids.Reference(victim.CrimeReference)} changed while its email was claimed.");
        }

        var (loggedCrime, loggedVictim) = ids.Of(victim.CrimeReference, victim.VictimId);
        LogNothingToDo(logger, loggedCrime, loggedVictim, latest?.EmailStatus ?? "gone");
        return false;
    }

    private EntitlementEmail? ComposeFromLatest(CrimeStateEntity crime, string victimId, out string? suppression)
    {
        var snapshot = CrimeEventParser.Parse(crime.Snapshot).Snapshot
            ?? throw new InvalidOperationException($"The stored snapshot of crime {ids.Reference(crime.CrimeReference)} does not parse.");
        var victim = snapshot.Victims.FirstOrDefault(v => v.Id == victimId);
        if (victim is null)
        {
            suppression = "NotInLatestSnapshot";
            return null;
        }

        // Decided again on the latest snapshot: a later version may have made email unsafe.
        var decision = rules.Decide(snapshot, victim);
        suppression = decision.Email.Reason?.ToString();
        return composer.Compose(snapshot, victim, decision);
    }

    private async Task RecordAsync(EmailWorkItem item, VictimStateEntity claimed, SendOutcome outcome, string rawMessage, long dequeueCount)
    {
        switch (outcome)
        {
            case SendOutcome.Accepted accepted:
                await UpdateAsync(item, v => (v.EmailStatus, v.EmailSentAt, v.EmailMessageId, v.EmailReason) =
                    (nameof(EmailStatus.Sent), time.GetUtcNow(), accepted.MessageId, null), CancellationToken.None, claimed);
                await tallies.RecordAsync([SentEvent(claimed)], CancellationToken.None);
                metrics.Count("email", "sent");
                var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
                LogSent(logger, loggedCrime, loggedVictim);
                break;

            case SendOutcome.Permanent permanent:
                await FailAsync(item, claimed, permanent.Reason, rawMessage, dequeueCount);
                break;

            case SendOutcome.Unknown unknown:
                // Like a crash after the call: SendGrid may have it, and a second call could be a second email.
                var reason = $"{unknown.Reason}: check SendGrid's activity for these custom_args before replaying";
                await UpdateAsync(item, v => (v.EmailStatus, v.EmailReason) = (nameof(EmailStatus.Unconfirmed), reason), CancellationToken.None, claimed);
                await DeadLetterAsync(rawMessage, reason, dequeueCount, item, CancellationToken.None);
                metrics.Count("email", "unconfirmed");
                break;

            case SendOutcome.Transient transient when dequeueCount >= QueueHostSettings.MaxDequeueCount:
                await FailAsync(item, claimed, $"retries exhausted after {dequeueCount} deliveries: {transient.Reason}", rawMessage, dequeueCount);
                break;

            case SendOutcome.Transient transient:
                await UpdateAsync(item, v => v.EmailStatus = nameof(EmailStatus.Queued), CancellationToken.None, claimed);
                metrics.Count("email", "deferred");
                throw new RetryLaterException($"Email for victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} deferred: {transient.Reason}");
        }
    }

    private TallyEvent SentEvent(VictimStateEntity victim) =>
        new(Month.TryParse(victim.EmailMonth, out var month) ? month : Month.Of(time.GetUtcNow()), TallyCategories.EmailsSent, $"{victim.CrimeReference}:{victim.VictimId}");

    private async Task FailAsync(EmailWorkItem item, VictimStateEntity claimed, string reason, string rawMessage, long dequeueCount)
    {
        await UpdateAsync(item, v => (v.EmailStatus, v.EmailReason) = (nameof(EmailStatus.Failed), reason), CancellationToken.None, claimed);
        await DeadLetterAsync(rawMessage, reason, dequeueCount, item, CancellationToken.None);
        metrics.Count("email", "failed");
    }

    /// <summary>
    /// Applies a change to the victim's row: to the row this sender holds when it is still current (one request),
    /// else to the latest row, reloading if a newer snapshot changed it meanwhile.
    /// </summary>
    private async Task UpdateAsync(EmailWorkItem item, Action<VictimStateEntity> change, CancellationToken cancellationToken, VictimStateEntity? held = null)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var victim = attempt == 1 && held is not null
                ? held
                : (await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken)).Victim;
            if (victim is null)
            {
                return;
            }

            change(victim);
            victim.UpdatedAt = time.GetUtcNow();
            if (await states.TryReplaceAsync(victim, cancellationToken))
            {
                return;
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(item.VictimId)} of crime {ids.Reference(item.CrimeReference)} kept changing while its email result was recorded.");
    }

    private async Task DeadLetterAsync(string rawMessage, string reason, long dequeueCount, EmailWorkItem? item, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(DeadLetterKind.Poison, options.Value.EmailQueue, rawMessage, reason, dequeueCount,
            crimeReference: item?.CrimeReference, victimId: item?.VictimId, cancellationToken: cancellationToken);
        metrics.Count("deadletter", "poison");
        LogDeadLettered(logger, item is null ? null : ids.Reference(item.CrimeReference), item is null ? null : ids.Victim(item.VictimId));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Entitlement email sent for crime {CrimeReference} victim {VictimId}")]
    private static partial void LogSent(ILogger logger, string crimeReference, string victimId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing to send for crime {CrimeReference} victim {VictimId}: email is {EmailStatus}")]
    private static partial void LogNothingToDo(ILogger logger, string crimeReference, string victimId, string emailStatus);

    // The reason can carry SendGrid's answer, so it goes to the dead-letter row only.
    [LoggerMessage(Level = LogLevel.Error, Message = "Email work item for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId);
}
