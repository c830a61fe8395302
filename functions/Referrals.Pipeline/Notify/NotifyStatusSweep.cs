using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// The Notify status timer's work: Notify retries a callback only a few times, so a text message or letter still
/// without a final status <c>Notify__StatusCheckAfter</c> after Notify accepted it is looked up
/// (<c>GET /v2/notifications/{id}</c>, <see cref="NotifyStatusLookup"/>) and its status applied like a callback
/// (<see cref="ContactReceipts"/>), only when Notify's answer is about that very send: the id asked for, and the
/// reference and type of the message's latest send. What is due is read from the month index (<see cref="MonthIndex"/>):
/// the sends Notify accepted from <see cref="LookBack"/> ago to <c>StatusCheckAfter</c> ago and not yet settled, oldest
/// first, never the victims' rows as a whole, after the steps' index outboxes are applied (<see cref="IndexOutbox"/>) and
/// after the unknown outcomes (<see cref="UnknownSettlement"/>) and the emails SendGrid accepted that can no longer get a
/// final event (<see cref="AcceptedEmailSettlement"/>) are settled.
/// </summary>
public sealed partial class NotifyStatusSweep(
    VictimStateStore states, MonthIndex index, IndexOutbox outbox, NotifyStatusLookup lookup, ContactReceipts receipts, IOptions<NotifyOptions> options, TimeProvider time, ILogger<NotifyStatusSweep> logger,
    UnknownSettlement unknowns, AcceptedEmailSettlement acceptedEmails, VictimChanges changes, Calendar.WorkingDayCalendar calendar, MessageToken? tokens = null)
{
    /// <summary>At most this many lookups a run: the rest wait for the next.</summary>
    public const int MaxLookups = 200;

    /// <summary>
    /// How far back `referrals recheck-letters` looks, and how far past Notify's retention (<c>Notify:RetentionDays</c>) the
    /// timer reads the index: a send still without a final status at the end of the retention is not asked about (Notify
    /// answers 404 then) but unsettled, a ContactNeeded task (rulebook 1.2 section 6), so it never starves newer sends.
    /// </summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(14);

    /// <returns>How many statuses were applied.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var (looked, applied, mismatched) = (0, 0, 0);
        await outbox.DrainAsync(cancellationToken);
        var unknown = await unknowns.SettleAsync(cancellationToken);
        var accepted = await acceptedEmails.SettleAsync(unknown.SendGridRateLimited ? 0 : UnknownSettlement.MaxActivityLookups - unknown.AskedSendGrid, cancellationToken);
        var now = time.GetUtcNow();
        var retention = TimeSpan.FromDays(options.Value.RetentionDays);
        var due = (await index.RangeAsync(MonthIndex.Status, now - retention - LookBack, now - options.Value.StatusCheckAfter, cancellationToken, "Settled eq false").ToListAsync(cancellationToken))
            .OrderBy(MonthIndex.TimeOf).ToList();
        foreach (var row in due)
        {
            // Past Notify's retention a look-up can only answer 404: never asked, so it cannot starve newer sends.
            var pastRetention = now - MonthIndex.TimeOf(row) >= retention;
            if (looked >= MaxLookups && !pastRetention)
            {
                continue;
            }

            var channel = row.GetString("Channel") == nameof(Channel.Letter) ? Channel.Letter : Channel.Sms;
            var stored = await states.LoadVictimAsync(row.GetString("CrimeReference")!, row.GetString("VictimId")!, cancellationToken);
            if (stored is null || stored.State.Contact[channel] is not { Status: MessageStatus.Sent } message || message.SentAt != MonthIndex.TimeOf(row) || UnknownRule.Unsettled(message))
            {
                // Settled meanwhile (its receipt's index write may have been cut short: written again), sent again since, or gone.
                await SettledAsync(row, stored, cancellationToken);
                continue;
            }

            var victim = stored.State;
            if (!ReceiptRule.StatusCheckDue(message, time.GetUtcNow(), options.Value.StatusCheckAfter))
            {
                continue;
            }

            if (pastRetention)
            {
                await UnsettleAsync(stored, channel, $"it had no final status when Notify's retention ({options.Value.RetentionDays} days) ended", cancellationToken);
                continue;
            }

            looked++;
            var answer = await lookup.GetAsync(message.ProviderId!, cancellationToken);
            if (answer is StatusLookup.NotFound)
            {
                await UnsettleAsync(stored, channel, "Notify no longer knows it (past its retention) and it had no final status", cancellationToken);
                continue;
            }

            if (answer is not StatusLookup.Found { Report.Receipt: { IsFinal: true } receipt })
            {
                continue;
            }

            // Never a status from another notification: the answer must be the one asked for, about this send.
            if (!string.Equals(receipt.ProviderMessageId, message.ProviderId, StringComparison.OrdinalIgnoreCase)
                || (receipt.Reference != MessageReference.Notify(victim.CrimeReference, victim.VictimId, channel, message.Attempts)
                    && receipt.Reference != NotifyGateway.ReferenceOf(tokens, victim.CrimeReference, victim.VictimId, channel, message.Attempts)))
            {
                mismatched++;
                continue;
            }

            // Dated by Notify (completed_at, else sent_at), not by when the timer ran: the working-days figures count from it.
            var (effect, _) = await receipts.ApplyNotifyAsync(receipt.Reference, receipt.Channel, receipt.ProviderMessageId!, receipt.Status, receipt.At, cancellationToken);
            applied += effect == ReceiptEffect.Applied ? 1 : 0;
            mismatched += effect == ReceiptEffect.Mismatch ? 1 : 0;
        }

        LogSwept(logger, looked, applied, mismatched);
        return applied + unknown.Settled + unknown.SentAgain + unknown.Unsettled + accepted.Settled + accepted.Unsettled;
    }

    /// <summary>Rulebook 1.2 section 6: accepted, but no final status when Notify's retention ends: a ContactNeeded task.</summary>
    private Task<VictimChange?> UnsettleAsync(Stored<VictimState> stored, Channel channel, string why, CancellationToken cancellationToken) =>
        changes.ApplyAsync(stored.State.CrimeReference, stored.State.VictimId, stored,
            v => UnknownRule.Unsettle(v, channel, why, time.GetUtcNow(), Referrals.Tallies.Month.Of(time.GetUtcNow()), calendar), cancellationToken);

    private async Task SettledAsync(Azure.Data.Tables.TableEntity row, Stored<VictimState>? stored, CancellationToken cancellationToken)
    {
        if (stored is not null)
        {
            await states.CountAgainAsync(stored.State, cancellationToken);
        }

        await index.SettleAsync([row], cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notify status timer: {Looked} messages looked up, {Applied} statuses applied, {Mismatched} answers not about the message asked for")]
    private static partial void LogSwept(ILogger logger, int looked, int applied, int mismatched);
}
