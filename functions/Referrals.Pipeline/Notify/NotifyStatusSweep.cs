using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Contact;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Notify;

/// <summary>
/// The Notify status timer's work: Notify retries a callback only a few times, so a text message or letter still
/// without a final status <c>Notify__StatusCheckAfter</c> after Notify accepted it is looked up
/// (<c>GET /v2/notifications/{id}</c>) and its status applied like a callback (<see cref="ContactReceipts"/>).
/// </summary>
public sealed partial class NotifyStatusSweep(
    VictimStateStore states, NotifyGateway gateway, ContactReceipts receipts, IOptions<NotifyOptions> options, TimeProvider time, ILogger<NotifyStatusSweep> logger)
{
    /// <summary>At most this many lookups a run: the rest wait for the next.</summary>
    public const int MaxLookups = 200;

    /// <returns>How many statuses were applied.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var (looked, applied) = (0, 0);
        await foreach (var row in states.AwaitingNotifyReceiptAsync(cancellationToken))
        {
            var victim = row.ToStored().State;
            foreach (var channel in new[] { Channel.Sms, Channel.Letter })
            {
                var message = ContactRule.Message(victim, channel);
                if (looked >= MaxLookups || !NotifyStatuses.StatusCheckDue(message, time.GetUtcNow(), options.Value.StatusCheckAfter))
                {
                    continue;
                }

                looked++;
                var kind = NotifyStatuses.KindOf(await gateway.StatusAsync(message.NotificationId!, cancellationToken));
                if (kind != ReceiptKind.Waiting
                    && await receipts.ApplyAsync(victim.CrimeReference, victim.VictimId, channel, kind, message.Attempts, time.GetUtcNow(), cancellationToken) == ReceiptEffect.Applied)
                {
                    applied++;
                }
            }
        }

        LogSwept(logger, looked, applied);
        return applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notify status timer: {Looked} messages looked up, {Applied} statuses applied")]
    private static partial void LogSwept(ILogger logger, int looked, int applied);
}
