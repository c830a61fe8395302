using Referrals.Contact;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Notify;

/// <summary>What the one-off look-up of letters found: how many were asked about, and what became of them.</summary>
public sealed record LetterRecheckCounts(int Looked, int Received, int StillAccepted, int Failed, int NotAnswered);

/// <summary>
/// `referrals recheck-letters`, once after deploying rulebook revision 1.2 (docs/receipts.md): before it, a letter counted
/// as delivered when Notify reported it <c>accepted</c>. Every letter delivered within Notify's retention (the status
/// timer's <see cref="NotifyStatusSweep.LookBack"/>, read from the month index after the steps' outboxes are applied
/// (<see cref="IndexOutbox"/>), never the victims' rows as a whole) is looked up once: <c>received</c> changes nothing;
/// still <c>accepted</c> goes back to sent, so the status timer asks again until it settles (<see cref="ReceiptRule.StillAccepted"/>); a failure fails it after the fact
/// (<see cref="ReceiptRule.Apply"/>: the plan goes on, <c>InformedThenFailed.Letter</c> counted). Safe to run again.
/// </summary>
public sealed class LetterRecheck(MonthIndex index, IndexOutbox outbox, VictimChanges changes, NotifyStatusLookup lookup, ContactReceipts receipts, TimeProvider time)
{
    public async Task<LetterRecheckCounts> RunAsync(CancellationToken cancellationToken)
    {
        await outbox.DrainAsync(cancellationToken); // the month index is read: the steps' outboxes first (IndexOutbox)
        var now = time.GetUtcNow();
        int looked = 0, received = 0, accepted = 0, failed = 0, unanswered = 0;
        await foreach (var row in index.RangeAsync(MonthIndex.Status, now - NotifyStatusSweep.LookBack, now, cancellationToken, $"Settled eq true and Channel eq '{nameof(Channel.Letter)}'"))
        {
            var stored = await changes.LoadAsync(row.GetString("CrimeReference")!, row.GetString("VictimId")!, cancellationToken);
            if (stored?.State.Contact.Letter is not { Status: MessageStatus.Delivered, ProviderId: { Length: > 0 } id } letter || letter.SentAt != MonthIndex.TimeOf(row))
            {
                continue;
            }

            looked++;
            if (await lookup.GetAsync(id, cancellationToken) is not StatusLookup.Found { Report.Receipt: { } receipt }
                || !string.Equals(receipt.ProviderMessageId, id, StringComparison.OrdinalIgnoreCase))
            {
                unanswered++;
                continue;
            }

            switch (receipt.Status)
            {
                case ReceiptStatus.Delivered:
                    received++;
                    break;
                case ReceiptStatus.Deferred:
                    var victim = stored.State;
                    accepted += await changes.ApplyAsync(victim.CrimeReference, victim.VictimId, stored, v => ReceiptRule.StillAccepted(v, id), cancellationToken) is null ? 0 : 1;
                    break;
                default:
                    var (effect, _) = await receipts.ApplyNotifyAsync(receipt.Reference, receipt.Channel, id, receipt.Status, now, cancellationToken);
                    failed += effect == ReceiptEffect.Applied ? 1 : 0;
                    break;
            }
        }

        return new LetterRecheckCounts(looked, received, accepted, failed, unanswered);
    }
}
