using Referrals.Calendar;
using Referrals.Contact;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Contact;

/// <summary>
/// Applies a provider's delivery receipt to the victim's row (<see cref="ReceiptRule"/>: a status never goes
/// backwards; repeats and late receipts change nothing; a Notify receipt settles only the message it comes from), with
/// its tally events in the same write, then hands on what the change asks for (<see cref="VictimChanges"/>). Safe to
/// call any number of times with the same receipt, in any order.
/// </summary>
/// <param name="tokens">The key of the messages' tokens (issue 22); none: only the readable references of before it are known.</param>
public sealed class ContactReceipts(VictimChanges changes, WorkingDayCalendar calendar, TimeProvider time, MessageToken? tokens = null)
{
    /// <summary>
    /// A GOV.UK Notify receipt, by the reference the pipeline gave the message, what Notify says it is
    /// (<paramref name="reported"/>: its <c>notification_type</c>) and its notification id; UnknownMessage when the
    /// reference is not one of ours, Mismatch when it is but the receipt is not from that message (<see cref="ReceiptRule.ApplyNotify"/>).
    /// </summary>
    public Task<(ReceiptEffect Effect, string Reason)> ApplyNotifyAsync(string? reference, Channel reported, string notificationId, ReceiptStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!TryOpenNotify(reference, out var r))
        {
            return Task.FromResult((ReceiptEffect.UnknownMessage, "not a reference the pipeline gave"));
        }

        var identity = new NotifyReceiptIdentity(r.Channel, r.Attempt, reported, notificationId);
        return ApplyAsync(r.CrimeReference, r.VictimId, status, (victim, now, month) => ReceiptRule.ApplyNotify(victim, identity, status, at, now, month, calendar), cancellationToken);
    }

    /// <summary>The send a Notify reference names: a token (or an old reference) with the key, an old reference without it.</summary>
    private bool TryOpenNotify(string? reference, out MessageSend send)
    {
        if (tokens is not null)
        {
            return tokens.TryOpenNotify(reference, out send);
        }

        var known = MessageReference.TryParseNotify(reference, out var old);
        send = new MessageSend(old.CrimeReference, old.VictimId, old.Channel, old.Attempt);
        return known;
    }

    /// <summary>An email's receipt (SendGrid), by the crime and victim its <c>custom_args</c> name, and the email as the rule found it (null: no such victim).</summary>
    /// <param name="attempt">The send its token names (issue 22: each attempt its own token), or null when the event does not say (older custom args, a bounce matched by its recipient).</param>
    public async Task<(ReceiptEffect Effect, MessageState? Found)> ApplyEmailAsync(string crimeReference, string victimId, ReceiptStatus status, DateTimeOffset at, CancellationToken cancellationToken, int? attempt = null)
    {
        MessageState? found = null;
        var (effect, _) = await ApplyAsync(crimeReference, victimId, status, (victim, now, month) =>
        {
            found = victim.Contact.Email;
            var (next, effect) = ReceiptRule.Apply(victim, Channel.Email, status, attempt, at, now, month, calendar);
            return (next, effect, string.Empty);
        }, cancellationToken);
        return (effect, found);
    }

    private async Task<(ReceiptEffect Effect, string Reason)> ApplyAsync(
        string crimeReference, string victimId, ReceiptStatus status, Func<VictimState, DateTimeOffset, Month, (VictimState Next, ReceiptEffect Effect, string Reason)> rule, CancellationToken cancellationToken)
    {
        (ReceiptEffect Effect, string Reason) result = (ReceiptEffect.UnknownMessage, "no such victim (never sent by us, or the victim's data was purged)");
        VictimState? found = null;
        await changes.ApplyAsync(crimeReference, victimId, null, victim =>
        {
            var now = time.GetUtcNow();
            var (next, effect, reason) = rule(victim, now, Month.Of(now));
            (result, found) = ((effect, reason), victim);
            return effect == ReceiptEffect.Applied ? next : victim;
        }, cancellationToken);

        if (result.Effect == ReceiptEffect.AlreadyKnown && status != ReceiptStatus.Deferred && found is not null)
        {
            // A provider resends a receipt we did not acknowledge, which may follow a crash between the change it made and
            // the month index's write: the victim's events and entries are written again (idempotent).
            await changes.CountAgainAsync(found, cancellationToken);
        }

        return result;
    }
}
