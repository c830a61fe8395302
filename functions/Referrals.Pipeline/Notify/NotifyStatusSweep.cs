using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// The Notify status timer's work: Notify retries a callback only a few times, so a text message or letter still
/// without a final status <c>Notify__StatusCheckAfter</c> after Notify accepted it is looked up
/// (<c>GET /v2/notifications/{id}</c>, <see cref="NotifyStatusLookup"/>) and its status applied like a callback
/// (<see cref="ContactReceipts"/>), only when Notify's answer is about that very send: the id asked for, and the
/// reference and type of the message's latest send.
/// </summary>
public sealed partial class NotifyStatusSweep(
    VictimStateStore states, NotifyStatusLookup lookup, ContactReceipts receipts, IOptions<NotifyOptions> options, TimeProvider time, ILogger<NotifyStatusSweep> logger)
{
    /// <summary>At most this many lookups a run: the rest wait for the next.</summary>
    public const int MaxLookups = 200;

    /// <returns>How many statuses were applied.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var (looked, applied, mismatched) = (0, 0, 0);
        await foreach (var row in states.AwaitingNotifyReceiptAsync(cancellationToken))
        {
            var victim = row.ToStored().State;
            foreach (var channel in new[] { Channel.Sms, Channel.Letter })
            {
                var message = victim.Contact[channel];
                if (looked >= MaxLookups || !ReceiptRule.StatusCheckDue(message, time.GetUtcNow(), options.Value.StatusCheckAfter))
                {
                    continue;
                }

                looked++;
                if (await lookup.GetAsync(message.ProviderId!, cancellationToken) is not StatusLookup.Found { Report.Receipt: { IsFinal: true } receipt })
                {
                    continue;
                }

                // Never a status from another notification: the answer must be the one asked for, about this send.
                if (!string.Equals(receipt.ProviderMessageId, message.ProviderId, StringComparison.OrdinalIgnoreCase)
                    || receipt.Reference != MessageReference.Notify(victim.CrimeReference, victim.VictimId, channel, message.Attempts))
                {
                    mismatched++;
                    continue;
                }

                var (effect, _) = await receipts.ApplyNotifyAsync(receipt.Reference, receipt.Channel, receipt.ProviderMessageId!, receipt.Status, time.GetUtcNow(), cancellationToken);
                applied += effect == ReceiptEffect.Applied ? 1 : 0;
                mismatched += effect == ReceiptEffect.Mismatch ? 1 : 0;
            }
        }

        LogSwept(logger, looked, applied, mismatched);
        return applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notify status timer: {Looked} messages looked up, {Applied} statuses applied, {Mismatched} answers not about the message asked for")]
    private static partial void LogSwept(ILogger logger, int looked, int applied, int mismatched);
}
