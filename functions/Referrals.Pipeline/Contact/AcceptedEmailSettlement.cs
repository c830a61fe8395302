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

/// <summary>What one run of <see cref="AcceptedEmailSettlement"/> did.</summary>
public sealed record AcceptedEmailCounts(int Read, int AskedSendGrid, int Settled, int Unsettled);

/// <summary>
/// Rulebook 1.2 section 6 in the status timer, for an email SendGrid accepted that never got a final event
/// (<see cref="AcceptedEmailRule"/>): read from the month index's <see cref="MonthIndex.EmailStatus"/> rows (written while
/// the email is <c>Sent</c>, marked settled once it is final or unsettled), partition-bounded, from
/// <see cref="AcceptedEmailRule.FinalEventWindow"/> plus <see cref="LookBack"/> ago to the window ago, oldest first, at most
/// <see cref="MaxPerRun"/> a run. With <c>SendGrid:EmailActivityApi</c> each is asked about once more, within what the
/// unknowns left of the run's <see cref="UnknownSettlement.MaxActivityLookups"/>; an API that gives no usable answer for
/// 24 hours is settled as without it. Every change goes through <see cref="VictimChanges"/>: a rerun or a redelivery finds
/// the email unsettled and changes nothing, so at most one ContactNeeded task is raised.
/// </summary>
public sealed partial class AcceptedEmailSettlement(
    MonthIndex index, VictimChanges changes, SendGridActivityLookup activity, IOptions<SendGridOptions> sendGrid, WorkingDayCalendar calendar, TimeProvider time,
    ILogger<AcceptedEmailSettlement> logger, MessageToken? tokens = null)
{
    /// <summary>At most this many emails settled a run: the rest wait for the next.</summary>
    public const int MaxPerRun = 100;

    /// <summary>How far past the window the index is read: a row older than that was settled by an earlier run.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(14);

    /// <param name="activityLookups">The look-ups at SendGrid's Email Activity API this run may still make.</param>
    public async Task<AcceptedEmailCounts> SettleAsync(int activityLookups, CancellationToken cancellationToken)
    {
        var through = time.GetUtcNow() - AcceptedEmailRule.FinalEventWindow;
        var due = (await index.RangeAsync(MonthIndex.EmailStatus, through - LookBack, through, cancellationToken, "Settled eq false").ToListAsync(cancellationToken))
            .OrderBy(MonthIndex.TimeOf).Take(MaxPerRun).ToList();
        var counts = new AcceptedEmailCounts(due.Count, 0, 0, 0);
        var limited = false;
        foreach (var row in due)
        {
            var stored = await changes.LoadAsync(row.GetString("CrimeReference")!, row.GetString("VictimId")!, cancellationToken);
            if (stored?.State.Contact.Email is not { } email || !AcceptedEmailRule.Awaiting(email) || email.SentAt != MonthIndex.TimeOf(row)
                || Referrals.Privacy.RedactionRule.IsErased(stored.State))
            {
                await index.SettleAsync([row], cancellationToken); // final or unsettled meanwhile, sent again since, erased, or gone
                continue;
            }

            SendGridRecord? record = null;
            if (sendGrid.Value.EmailActivityApi)
            {
                if (limited || counts.AskedSendGrid >= activityLookups)
                {
                    continue; // asked on a later run
                }

                counts = counts with { AskedSendGrid = counts.AskedSendGrid + 1 };
                var token = tokens?.Seal(new MessageSend(stored.State.CrimeReference, stored.State.VictimId, Channel.Email, email.Attempts));
                var answer = token is null ? new ActivityLookup.Failed("no message token key") : await activity.FindByTokenAsync(token, cancellationToken);
                limited = answer is ActivityLookup.Failed { RateLimited: true };
                if (answer is ActivityLookup.Answered answered)
                {
                    record = answered.Record;
                }
                else if (time.GetUtcNow() < AcceptedEmailRule.DueAt(email) + UnknownRule.SendGridSilence)
                {
                    continue; // asked again on a later run
                }
            }

            counts = await SettleOneAsync(row, stored, email.Attempts, record, counts, cancellationToken);
        }

        LogSettled(logger, counts.Read, counts.AskedSendGrid, counts.Settled, counts.Unsettled);
        return counts;
    }

    private async Task<AcceptedEmailCounts> SettleOneAsync(TableEntity row, Storage.Stored<VictimState> stored, int attempt, SendGridRecord? record, AcceptedEmailCounts counts, CancellationToken cancellationToken)
    {
        var change = await changes.ApplyAsync(stored.State.CrimeReference, stored.State.VictimId, stored,
            v => AcceptedEmailRule.AfterFinalEventWindow(v, attempt, record, time.GetUtcNow(), Month.Of(time.GetUtcNow()), calendar).Next, cancellationToken);
        var after = change?.Next.Contact.Email;
        if (after is null || !AcceptedEmailRule.Awaiting(after))
        {
            await index.SettleAsync([row], cancellationToken); // the change's own index write says so too; null: nothing left to do (an erased victim)
        }

        return after switch
        {
            null => counts,
            _ when UnknownRule.Unsettled(after) => counts with { Unsettled = counts.Unsettled + 1 },
            _ => counts with { Settled = counts.Settled + 1 },
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Emails accepted without a final event: {Read} due, {AskedSendGrid} asked at SendGrid's Email Activity API, {Settled} settled by it, {Unsettled} unsettled (ContactNeeded)")]
    private static partial void LogSettled(ILogger logger, int read, int askedSendGrid, int settled, int unsettled);
}
