using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Contact;

/// <summary>
/// Applies a provider's delivery receipt to the victim's row (<see cref="ReceiptRule"/>: a status never goes
/// backwards; repeats and late receipts change nothing), with its tally events in the same write, then hands on what
/// the change asks for: the next safe channel after a failure, a ContactNeeded task, or a resend of what Notify never
/// sent. Safe to call any number of times with the same receipt, in any order.
/// </summary>
public sealed class ContactReceipts(VictimStateStore states, IngestHandOff handOff, WorkingDayCalendar calendar, TimeProvider time, LogIds ids)
{
    private const int MaxConcurrencyRetries = 5;

    /// <summary>A GOV.UK Notify receipt, by the reference the pipeline gave the message; Unknown when it is not one of ours.</summary>
    public Task<ReceiptEffect> ApplyNotifyAsync(string? reference, ReceiptKind kind, DateTimeOffset at, CancellationToken cancellationToken) =>
        MessageReference.TryParse(reference, out var r)
            ? ApplyAsync(r.CrimeReference, r.VictimId, r.Channel, kind, r.Attempt, at, cancellationToken)
            : Task.FromResult(ReceiptEffect.Unknown);

    /// <param name="attempt">The send the receipt is about, when the provider's reference says (Notify); null for SendGrid.</param>
    public async Task<ReceiptEffect> ApplyAsync(string crimeReference, string victimId, Channel channel, ReceiptKind kind, int? attempt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        for (var tries = 1; tries <= MaxConcurrencyRetries; tries++)
        {
            if (await states.LoadVictimAsync(crimeReference, victimId, cancellationToken) is not { } victim)
            {
                return ReceiptEffect.Unknown; // Never sent by us, or the victim's data was purged.
            }

            var now = time.GetUtcNow();
            var month = Month.Of(now);
            var (next, effect) = ReceiptRule.Apply(victim.State, channel, kind, attempt, at, now, month, calendar);
            if (effect != ReceiptEffect.Applied)
            {
                return effect;
            }

            if (await states.TryReplaceAsync(victim, next, cancellationToken, TallyRule.Between(victim.State, next)) is not null)
            {
                await handOff.HandOnAsync([new VictimChange(victim.State, next, [])], month, cancellationToken);
                return ReceiptEffect.Applied;
            }
        }

        throw new RetryLaterException($"Victim {ids.Victim(victimId)} of crime {ids.Reference(crimeReference)} kept changing while a receipt was applied.");
    }
}
