using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// Handles one referral work item: a referral, a withdrawal or a Victim Care Unit task for one victim and one
/// service. At most one of each ever reaches the service: the delivery row is claimed (Pending → Sending,
/// ETag-checked) before the call, and the victim's current state is read again after the claim, so a delivery
/// no longer warranted (consent withdrawn meanwhile) is cancelled instead of sent.
/// </summary>
public sealed partial class ReferralForwarder(
    VictimStateStore states,
    DeliveryStore deliveries,
    RulesData rules,
    ServiceGateway services,
    SendGridGateway mail,
    TallyStore tallies,
    DeadLetterStore deadLetters,
    PipelineMetrics metrics,
    IOptions<PipelineOptions> options,
    IOptions<ForwardingOptions> forwarding,
    IOptions<SendGridOptions> sendGrid,
    OutboundPause pause,
    TimeProvider time,
    LogIds ids,
    ILogger<ReferralForwarder> logger)
{
    private static readonly HashSet<string> ReferredStatuses =
        [nameof(ReferralStatus.AutoReferred), nameof(ReferralStatus.Referred), nameof(ReferralStatus.ConvertedToYes)];

    public async Task HandleAsync(string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        if (await pause.HoldIfPausedAsync(options.Value.ReferralQueue, rawMessage, cancellationToken))
        {
            return;
        }

        if (!QueueText.TryDecode(rawMessage, out var payload) || ReferralWorkItem.TryParse(payload) is not { } item)
        {
            await DeadLetterAsync(rawMessage, "not a valid referral work item", dequeueCount, null, cancellationToken);
            return;
        }

        var channel = rules.Directory.ChannelOf(item.ServiceId);
        var (crime, victim) = await states.LoadVictimAsync(item.CrimeReference, item.VictimId, cancellationToken);
        if (channel is null || crime is null || victim is null)
        {
            await DeadLetterAsync(rawMessage, channel is null ? $"service '{item.ServiceId}' is not in the services directory" : "no stored state for this victim", dequeueCount, item, cancellationToken);
            return;
        }

        var delivery = await deliveries.GetOrAddAsync(item, channel.Channel, victim.ReferralDueBy, cancellationToken);
        if (!await ReadyToSendAsync(item, delivery, channel, victim, rawMessage, dequeueCount, cancellationToken))
        {
            return;
        }

        // From the claim to the result being stored, host shutdown must not cut in (see the email sender).
        delivery.Status = nameof(DeliveryStatus.Sending);
        delivery.AttemptedAt = time.GetUtcNow();
        delivery.Attempts++;
        if (!await deliveries.TryReplaceAsync(delivery, CancellationToken.None))
        {
            throw new RetryLaterException($"Delivery {LoggedId(item)} changed while it was claimed.");
        }

        var current = await states.LoadVictimRowAsync(item.CrimeReference, item.VictimId, CancellationToken.None);
        var notWarranted = current is null ? "the victim's state is gone" : Warranted(item, current);
        if ((notWarranted is null ? Document(item, crime) : null) is not { } document)
        {
            await SettleAsync(delivery, DeliveryStatus.Cancelled, notWarranted ?? "the victim is not in the latest snapshot");
            return;
        }

        var outcome = channel.IsHttp
            ? await services.PostAsync(channel, document, CancellationToken.None)
            : await SendSecureEmailAsync(channel, document);
        await RecordAsync(item, delivery, outcome, rawMessage, dequeueCount);
    }

    /// <summary>Whether this delivery should be claimed and sent now; settles or defers it otherwise.</summary>
    private async Task<bool> ReadyToSendAsync(ReferralWorkItem item, DeliveryEntity delivery, ReferralChannel channel, VictimStateEntity victim, string rawMessage, long dequeueCount, CancellationToken cancellationToken)
    {
        switch (delivery.Status)
        {
            case nameof(DeliveryStatus.Delivered):
                await tallies.RecordAsync(DeliveredEvents(delivery), cancellationToken);
                return false;
            case nameof(DeliveryStatus.Sending) when time.GetUtcNow() - delivery.AttemptedAt < Lease(channel):
                throw new RetryLaterException($"Delivery {LoggedId(item)} is being sent by another delivery of its work item.");
            case nameof(DeliveryStatus.Sending) when !channel.IsHttp:
                // A secure email has no idempotency key: it may have gone, so an operator decides.
                await SettleAsync(delivery, DeliveryStatus.Unconfirmed, "a forwarder stopped after sending and before recording the result: check the mailbox before replaying");
                await DeadLetterAsync(rawMessage, delivery.Reason!, dequeueCount, item, cancellationToken);
                return false;
            case nameof(DeliveryStatus.Sending):
                return true; // The API dedupes on the Idempotency-Key: sending again is safe.
            case not nameof(DeliveryStatus.Pending):
                return false;
        }

        if (Warranted(item, victim) is { } notWarranted)
        {
            await SettleAsync(delivery, DeliveryStatus.Cancelled, notWarranted);
            return false;
        }

        if (item.Kind != DeliveryKind.Withdrawal)
        {
            return true;
        }

        var referral = await deliveries.GetAsync(DeliveryKind.Referral, item.CrimeReference, item.VictimId, item.ServiceId, cancellationToken);
        switch (referral?.Status)
        {
            case nameof(DeliveryStatus.Delivered) or nameof(DeliveryStatus.Unconfirmed):
                // Unconfirmed may have reached the service: better a withdrawal it does not need than a referral left standing.
                return true;
            case nameof(DeliveryStatus.Sending):
                throw new RetryLaterException($"The referral withdrawn by {LoggedId(item)} is being sent; the withdrawal follows it.");
            case nameof(DeliveryStatus.Pending):
                // Not reached yet: stop it, so the service hears nothing at all.
                referral.Status = nameof(DeliveryStatus.Cancelled);
                referral.Reason = "withdrawn before it was delivered";
                if (!await deliveries.TryReplaceAsync(referral, cancellationToken))
                {
                    throw new RetryLaterException($"The referral withdrawn by {LoggedId(item)} changed meanwhile.");
                }

                break;
        }

        await SettleAsync(delivery, DeliveryStatus.Cancelled, "the referral never reached the service: nothing to withdraw");
        return false;
    }

    /// <summary>Null when the victim's current state still asks for this delivery, else why not.</summary>
    private static string? Warranted(ReferralWorkItem item, VictimStateEntity victim) => item.Kind switch
    {
        DeliveryKind.Referral when !ReferredStatuses.Contains(victim.ReferralStatus) => $"no longer warranted: the victim is now {victim.ReferralStatus}",
        DeliveryKind.Withdrawal when victim.ReferralStatus != nameof(ReferralStatus.Withdrawn) => $"no longer warranted: the victim is now {victim.ReferralStatus}",
        DeliveryKind.SingleSessionOffer when victim.ReferralStatus != nameof(ReferralStatus.Declined) => $"no longer warranted: the victim is now {victim.ReferralStatus}",
        DeliveryKind.ConsentRequest when victim.ReferralStatus != nameof(ReferralStatus.AwaitingConsent) => $"no longer warranted: the victim is now {victim.ReferralStatus}",
        _ => null,
    };

    /// <summary>Built from the latest snapshot, so the service gets today's contact details and safety flags.</summary>
    private ReferralDocument? Document(ReferralWorkItem item, CrimeStateEntity crime)
    {
        if (item.Kind == DeliveryKind.Withdrawal)
        {
            return ReferralDocument.Withdrawal(item.CrimeReference, item.VictimId, item.ServiceId);
        }

        var snapshot = CrimeEventParser.Parse(crime.Snapshot).Snapshot
            ?? throw new InvalidOperationException($"The stored snapshot of crime {ids.Reference(crime.CrimeReference)} does not parse.");
        return snapshot.Victims.FirstOrDefault(v => v.Id == item.VictimId) is { } victim
            ? ReferralDocument.For(item.Kind, item.ServiceId, snapshot, victim, rules.Rules.Decide(snapshot, victim))
            : null;
    }

    private async Task<DeliveryOutcome> SendSecureEmailAsync(ReferralChannel channel, ReferralDocument document)
    {
        var email = new OutgoingEmail(channel.Address!, document.Subject, document.ToText(), null, "service-referral", document.CrimeReference, document.Victim?.Id ?? string.Empty);
        return await mail.SendAsync(email, CancellationToken.None) switch
        {
            SendOutcome.Accepted => new DeliveryOutcome.Delivered(202),
            SendOutcome.Permanent permanent => new DeliveryOutcome.Permanent(permanent.Reason, 400),
            SendOutcome.Transient transient => new DeliveryOutcome.Transient(transient.Reason),
            SendOutcome.Unknown unknown => new DeliveryOutcome.Unconfirmed(unknown.Reason),
            _ => throw new InvalidOperationException("unknown send outcome"),
        };
    }

    private async Task RecordAsync(ReferralWorkItem item, DeliveryEntity delivery, DeliveryOutcome outcome, string rawMessage, long dequeueCount)
    {
        switch (outcome)
        {
            case DeliveryOutcome.Delivered delivered:
                var now = time.GetUtcNow();
                delivery.DeliveredAt = now;
                delivery.HttpStatus = delivered.Status;
                delivery.OnTime = item.Kind == DeliveryKind.Referral && DateOnly.TryParse(delivery.DueBy, System.Globalization.CultureInfo.InvariantCulture, out var due)
                    ? London.DateOf(now) <= due
                    : null;
                await SettleAsync(delivery, DeliveryStatus.Delivered, null);
                await tallies.RecordAsync(DeliveredEvents(delivery), CancellationToken.None);
                metrics.Count("delivery", $"{item.Kind}:delivered");
                var (loggedCrime, loggedVictim) = ids.Of(item.CrimeReference, item.VictimId);
                LogDelivered(logger, loggedCrime, loggedVictim, item.Kind, item.ServiceId, delivery.OnTime);
                if (delivery.OnTime == false)
                {
                    LogLate(logger, LoggedId(item), ids.Reference(item.CrimeReference), delivery.DueBy);
                }

                break;

            case DeliveryOutcome.Permanent permanent:
                delivery.HttpStatus = permanent.Status;
                await FailAsync(item, delivery, permanent.Reason, rawMessage, dequeueCount);
                break;

            case DeliveryOutcome.Unconfirmed unconfirmed:
                // A secure email may have gone: sending it again could be a second referral, so an operator decides.
                await SettleAsync(delivery, DeliveryStatus.Unconfirmed, $"{unconfirmed.Reason}: check the mailbox before replaying");
                await DeadLetterAsync(rawMessage, delivery.Reason!, dequeueCount, item, CancellationToken.None);
                metrics.Count("delivery", $"{item.Kind}:unconfirmed");
                break;

            case DeliveryOutcome.Transient transient when dequeueCount >= QueueHostSettings.MaxDequeueCount:
                await FailAsync(item, delivery, $"retries exhausted after {dequeueCount} deliveries: {transient.Reason}", rawMessage, dequeueCount);
                break;

            case DeliveryOutcome.Transient transient:
                await SettleAsync(delivery, DeliveryStatus.Pending, transient.Reason);
                metrics.Count("delivery", $"{item.Kind}:deferred");
                throw new RetryLaterException($"Delivery {LoggedId(item)} deferred: {transient.Reason}");
        }
    }

    private async Task FailAsync(ReferralWorkItem item, DeliveryEntity delivery, string reason, string rawMessage, long dequeueCount)
    {
        await SettleAsync(delivery, DeliveryStatus.Failed, reason);
        await DeadLetterAsync(rawMessage, reason, dequeueCount, item, CancellationToken.None);
        await tallies.RecordAsync([new TallyEvent(MonthOf(delivery), TallyCategories.ReferralsFailed, delivery.Id)], CancellationToken.None);
        metrics.Count("delivery", $"{item.Kind}:failed");
    }

    private IEnumerable<TallyEvent> DeliveredEvents(DeliveryEntity delivery)
    {
        var month = MonthOf(delivery);
        switch (Enum.Parse<DeliveryKind>(delivery.Kind))
        {
            case DeliveryKind.Referral:
                yield return new TallyEvent(month, TallyCategories.ReferralsDelivered, delivery.Id);
                yield return new TallyEvent(month, TallyCategories.DeliveredTo(delivery.ServiceId), delivery.Id);
                if (delivery.OnTime is { } onTime)
                {
                    yield return new TallyEvent(month, onTime ? TallyCategories.ReferralsOnTime : TallyCategories.ReferralsLate, delivery.Id);
                }

                break;
            case DeliveryKind.Withdrawal:
                yield return new TallyEvent(month, TallyCategories.WithdrawalNotices, delivery.Id);
                break;
            default:
                yield return new TallyEvent(month, TallyCategories.VcuTasksDelivered, delivery.Id);
                break;
        }
    }

    private Month MonthOf(DeliveryEntity delivery) =>
        Month.TryParse(delivery.Month, out var month) ? month : Month.Of(time.GetUtcNow());

    private TimeSpan Lease(ReferralChannel channel) =>
        channel.IsHttp ? forwarding.Value.ClaimLease : sendGrid.Value.ClaimLease;

    /// <summary>Writes the row this forwarder holds; it is only changed elsewhere while Pending, so the ETag rarely fails.</summary>
    private async Task SettleAsync(DeliveryEntity delivery, DeliveryStatus status, string? reason)
    {
        delivery.Status = status.ToString();
        delivery.Reason = reason;
        if (!await deliveries.TryReplaceAsync(delivery, CancellationToken.None))
        {
            throw new RetryLaterException($"Delivery {ids.Delivery(Enum.Parse<DeliveryKind>(delivery.Kind), delivery.CrimeReference, delivery.VictimId, delivery.ServiceId)} changed while its result was recorded.");
        }
    }

    private async Task DeadLetterAsync(string rawMessage, string reason, long dequeueCount, ReferralWorkItem? item, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(DeadLetterKind.Poison, options.Value.ReferralQueue, rawMessage, reason, dequeueCount,
            crimeReference: item?.CrimeReference, victimId: item?.VictimId, cancellationToken: cancellationToken);
        metrics.Count("deadletter", "poison");
        LogDeadLettered(logger, item is null ? null : ids.Reference(item.CrimeReference), item is null ? null : ids.Victim(item.VictimId), item is null ? null : LoggedId(item));
    }

    private string LoggedId(ReferralWorkItem item) => ids.Delivery(item.Kind, item.CrimeReference, item.VictimId, item.ServiceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} delivered for crime {CrimeReference} victim {VictimId} to {ServiceId} (on time: {OnTime})")]
    private static partial void LogDelivered(ILogger logger, string crimeReference, string victimId, DeliveryKind kind, string serviceId, bool? onTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Referral {DeliveryId} for crime {CrimeReference} delivered after its due date {DueBy}")]
    private static partial void LogLate(ILogger logger, string deliveryId, string crimeReference, string? dueBy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Referral work item {DeliveryId} for crime {CrimeReference} victim {VictimId} dead-lettered: see `referrals poison` for the reason")]
    private static partial void LogDeadLettered(ILogger logger, string? crimeReference, string? victimId, string? deliveryId);
}
