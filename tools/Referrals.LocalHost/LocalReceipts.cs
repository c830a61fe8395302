using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Pipeline.Contact;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.LocalHost;

/// <summary>
/// The delivery receipts of a local run, applied in process a moment after a stand-in accepted a message: SendGrid
/// reports a recipient whose local part starts with "bounce" bounced and anything else delivered; Notify reports its
/// simulator's outcome. The webhook endpoints (signature and token checks, provider event parsing) stand in front of
/// the same <see cref="ContactReceipts"/> in the Functions app; this shortcut only skips the HTTP hop.
/// </summary>
/// <param name="repeat">How many times each receipt is applied (providers resend): tests use 3.</param>
public sealed class LocalReceipts(IServiceProvider services, TimeSpan? delay = null, int repeat = 1)
{
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly TimeSpan _delay = delay ?? TimeSpan.FromMilliseconds(300);

    public void EmailAccepted(string crimeReference, string victimId, string to) =>
        Track(async () => await Receipts.ApplyEmailAsync(crimeReference, victimId,
            to.StartsWith("bounce", StringComparison.OrdinalIgnoreCase) ? ReceiptStatus.FailedForGood : ReceiptStatus.Delivered, DateTimeOffset.UtcNow, CancellationToken.None));

    public Task NotifyAccepted(NotifyNotification notification)
    {
        var channel = NotifyStatuses.ChannelOf(notification.Type) ?? Channel.Letter;
        Track(async () => await Receipts.ApplyNotifyAsync(notification.Reference, channel, notification.Id,
            NotifyStatuses.Map(channel, notification.Status) ?? ReceiptStatus.Deferred, DateTimeOffset.UtcNow, CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <summary>Whether receipts are still to be applied; waits for those pending now.</summary>
    public async Task<bool> DrainAsync()
    {
        var pending = _pending.Keys.ToList();
        await Task.WhenAll(pending);
        return pending.Count > 0;
    }

    private ContactReceipts Receipts => services.GetRequiredService<ContactReceipts>();

    private void Track(Func<Task> apply)
    {
        var task = Task.Run(async () =>
        {
            await Task.Delay(_delay);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    for (var copy = 0; copy < repeat; copy++)
                    {
                        await apply();
                    }

                    return;
                }
                catch (Referrals.Pipeline.Outbound.RetryLaterException) when (attempt < 5)
                {
                    await Task.Delay(_delay);
                }
            }
        });
        _pending.TryAdd(task, 0);
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }
}
