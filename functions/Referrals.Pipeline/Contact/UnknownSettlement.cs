using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Receipts;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Contact;

/// <summary>What one run of the settlement did.</summary>
public sealed record UnknownCounts(int LookedUp, int Settled, int SentAgain, int Unsettled)
{
    /// <summary>Look-ups at SendGrid's Email Activity API this run.</summary>
    public int AskedSendGrid { get; init; }

    /// <summary>SendGrid answered 429: no more look-ups at its Email Activity API this run.</summary>
    public bool SendGridRateLimited { get; init; }
}

/// <summary>
/// Rulebook 1.2 section 6, "Unknown outcome", in the status timer (<see cref="UnknownRule"/>): the messages whose outcome
/// is unknown and due to be settled are read from the month index (<see cref="MonthIndex.Unknown"/>, partition-bounded,
/// oldest first), never from the victims' rows as a whole. A text message or letter is looked up by its reference with the
/// same API key (<see cref="NotifyStatusLookup.FindByReferenceAsync"/>), at most <see cref="MaxLookups"/> a run, within
/// <c>Notify:RetentionDays</c>; past it, unsettled without asking. An email is settled by SendGrid's Email Activity API when
/// <c>SendGrid:EmailActivityApi</c> is on (<see cref="SendGridActivityLookup"/>, at most <see cref="MaxActivityLookups"/> a
/// run; a 429 stops them until the next run, and an API that gives no usable answer for 24 hours falls back to silence),
/// else by 24 hours of silence with a healthy webhook (<see cref="WebhookHealth"/>). Every change goes through
/// <see cref="VictimChanges"/> (a send again is handed on), whose optimistic write makes a second run, a redelivery or a
/// replay of the same settlement change nothing more.
/// </summary>
public sealed partial class UnknownSettlement(
    MonthIndex index, VictimChanges changes, NotifyStatusLookup lookup, WebhookHealth health, IOptions<NotifyOptions> notify, IOptions<SendGridOptions> sendGrid,
    WorkingDayCalendar calendar, TimeProvider time, ILogger<UnknownSettlement> logger, SendGridActivityLookup activity, MessageToken? tokens = null)
{
    /// <summary>At most this many look-ups at Notify a run: the rest wait for the next.</summary>
    public const int MaxLookups = 100;

    /// <summary>
    /// At most this many look-ups at SendGrid's Email Activity API a run: its limit is 6 requests a minute per account, and
    /// the status timer runs at most once a minute (every 15 minutes; a Functions timer runs one instance at a time), so a
    /// budget per run keeps within it without a shared counter. A `referrals replay` in the same minute may still meet a 429:
    /// the look-up is then asked again later, and nothing is sent.
    /// </summary>
    public const int MaxActivityLookups = Referrals.Receipts.SendGridActivity.RequestsPerMinute;

    /// <summary>How far back the index is read: past Notify's longest retention, and an email's 24 hours, every row is settled by an earlier run.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(92);

    public async Task<UnknownCounts> SettleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wait = notify.Value.ClaimLease + UnknownRule.AfterTimeout;
        var due = (await index.RangeAsync(MonthIndex.Unknown, now - LookBack, now - wait, cancellationToken, "Settled eq false").ToListAsync(cancellationToken))
            .OrderBy(MonthIndex.TimeOf).ToList();
        var counts = new UnknownCounts(0, 0, 0, 0);
        foreach (var row in due)
        {
            var channel = Enum.TryParse<Channel>(row.GetString("Channel"), out var c) ? c : Channel.Email;
            var attemptedAt = MonthIndex.TimeOf(row);
            var lookUp = channel != Channel.Email && now - attemptedAt < TimeSpan.FromDays(notify.Value.RetentionDays);
            var askSendGrid = channel == Channel.Email && sendGrid.Value.EmailActivityApi;
            if (now < DueAt(channel, attemptedAt) || (lookUp && counts.LookedUp >= MaxLookups)
                || (askSendGrid && (counts.SendGridRateLimited || counts.AskedSendGrid >= MaxActivityLookups)))
            {
                continue;
            }

            counts = await SettleOneAsync(row, channel, attemptedAt, counts, cancellationToken);
        }

        LogSettled(logger, counts.LookedUp, counts.AskedSendGrid, counts.SendGridRateLimited, counts.Settled, counts.SentAgain, counts.Unsettled);
        return counts;
    }

    /// <summary>
    /// `referrals replay` of an unknown's dead letter: the same settlement, now, for that one message (when it is due), and
    /// what it did in words; true when the message's outcome is no longer unknown.
    /// </summary>
    public async Task<(bool Settled, string Reason)> SettleNowAsync(string crimeReference, string victimId, Channel channel, CancellationToken cancellationToken)
    {
        var stored = await changes.LoadAsync(crimeReference, victimId, cancellationToken);
        if (stored?.State.Contact[channel] is not { AttemptedAt: { } attemptedAt } message || !UnknownRule.Unknown(message))
        {
            return (true, $"the {channel.Noun()}'s outcome is no longer unknown");
        }

        var due = DueAt(channel, attemptedAt);
        if (time.GetUtcNow() < due)
        {
            return (false, $"the {channel.Noun()}'s outcome is unknown and the provider's records are asked from {due:yyyy-MM-dd HH:mm} UTC (the status timer does it then); nothing was sent");
        }

        var row = Indexes.MonthIndex.RowsOf(crimeReference, [], [new Referrals.Indexes.UnknownCheck(crimeReference, victimId, channel, attemptedAt)]).Single();
        var counts = await SettleOneAsync(row, channel, attemptedAt, new UnknownCounts(0, 0, 0, 0), cancellationToken);
        return counts switch
        {
            { SentAgain: 1 } => (true, $"the provider's records settled the {channel.Noun()} as not accepted: it is sent again (once)"),
            { Unsettled: 1 } => (true, $"the provider's records could not settle the {channel.Noun()}: a ContactNeeded task asks the Victim Care Unit to make contact"),
            { Settled: 1 } => (true, $"the provider's records settled the {channel.Noun()} as accepted: it is not sent again"),
            _ => (false, $"the provider did not answer about the {channel.Noun()}: the status timer asks again; nothing was sent"),
        };
    }

    private async Task<UnknownCounts> SettleOneAsync(TableEntity row, Channel channel, DateTimeOffset attemptedAt, UnknownCounts counts, CancellationToken cancellationToken)
    {
        var stored = await changes.LoadAsync(row.GetString("CrimeReference")!, row.GetString("VictimId")!, cancellationToken);
        if (stored?.State.Contact[channel] is not { } message || !UnknownRule.Unknown(message) || message.AttemptedAt != attemptedAt)
        {
            await index.SettleAsync([row], cancellationToken); // settled meanwhile (a receipt), sent again since, or gone
            return counts;
        }

        var victim = stored.State;
        var attempt = message.Attempts;
        Func<VictimState, DateTimeOffset, Month, VictimState> rule;
        if (channel == Channel.Email && sendGrid.Value.EmailActivityApi)
        {
            counts = counts with { AskedSendGrid = counts.AskedSendGrid + 1 };
            var token = tokens?.Seal(new MessageSend(victim.CrimeReference, victim.VictimId, Channel.Email, attempt));
            var answer = token is null ? new ActivityLookup.Failed("no message token key") : await activity.FindByTokenAsync(token, cancellationToken);
            if (answer is ActivityLookup.Answered { Record: var record })
            {
                rule = (v, now, month) => UnknownRule.AfterActivityLookup(v, attempt, record, now, month, calendar);
            }
            else if (time.GetUtcNow() - attemptedAt < UnknownRule.SendGridSilence)
            {
                return counts with { SendGridRateLimited = answer is ActivityLookup.Failed { RateLimited: true } }; // asked again on a later run
            }
            else
            {
                // No usable answer for 24 hours (a key without the scope, an add-on ended): settled as without the API.
                var healthy = await HealthyAsync(attemptedAt, cancellationToken);
                rule = (v, now, month) => UnknownRule.AfterSilence(v, attempt, sendGrid.Value.ProcessedAndDeferredEvents, healthy, now, month, calendar);
                counts = counts with { SendGridRateLimited = answer is ActivityLookup.Failed { RateLimited: true } };
            }
        }
        else if (channel == Channel.Email)
        {
            var healthy = await HealthyAsync(attemptedAt, cancellationToken);
            rule = (v, now, month) => UnknownRule.AfterSilence(v, attempt, sendGrid.Value.ProcessedAndDeferredEvents, healthy, now, month, calendar);
        }
        else if (time.GetUtcNow() - attemptedAt >= TimeSpan.FromDays(notify.Value.RetentionDays))
        {
            rule = (v, now, month) => UnknownRule.Unsettle(v, channel, $"Notify's retention ({notify.Value.RetentionDays} days) ended before its records settled it", now, month, calendar);
        }
        else
        {
            counts = counts with { LookedUp = counts.LookedUp + 1 };
            var reference = MessageToken.NotifyReference(tokens, victim.CrimeReference, victim.VictimId, channel, attempt);
            if (await lookup.FindByReferenceAsync(reference, cancellationToken) is not ReferenceLookup.Answered { Record: var record })
            {
                return counts; // asked again on the next run
            }

            rule = (v, now, month) => UnknownRule.AfterNotifyLookup(v, channel, attempt, record, now, month, calendar);
        }

        var change = await changes.ApplyAsync(victim.CrimeReference, victim.VictimId, stored, v => rule(v, time.GetUtcNow(), Month.Of(time.GetUtcNow())), cancellationToken);
        var after = change?.Next.Contact[channel];
        if (after is not null && !UnknownRule.Unknown(after))
        {
            await index.SettleAsync([row], cancellationToken);
        }

        return after switch
        {
            null => counts,
            { Status: MessageStatus.Queued } => counts with { SentAgain = counts.SentAgain + 1 },
            _ when UnknownRule.Unsettled(after) => counts with { Unsettled = counts.Unsettled + 1 },
            _ => counts with { Settled = counts.Settled + 1 },
        };
    }

    private DateTimeOffset DueAt(Channel channel, DateTimeOffset attemptedAt) => channel == Channel.Email
        ? UnknownRule.DueAt(channel, attemptedAt, sendGrid.Value.ClaimLease, sendGrid.Value.EmailActivityApi)
        : UnknownRule.DueAt(channel, attemptedAt, notify.Value.ClaimLease);

    private async Task<bool> HealthyAsync(DateTimeOffset attemptedAt, CancellationToken cancellationToken)
    {
        var (from, through) = WebhookHealthRule.Hours(attemptedAt);
        return WebhookHealthRule.Healthy(attemptedAt, await health.ReadAsync(from, through, cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unknown outcomes: {LookedUp} looked up at Notify, {AskedSendGrid} at SendGrid's Email Activity API (rate-limited: {RateLimited}), {Settled} settled by the provider's records, {SentAgain} sent again, {Unsettled} unsettled (ContactNeeded)")]
    private static partial void LogSettled(ILogger logger, int lookedUp, int askedSendGrid, bool rateLimited, int settled, int sentAgain, int unsettled);
}
