using Referrals.StandIns.Notify;
using Referrals.StandIns.SendGrid;

namespace Referrals.LocalHost;

/// <summary>Waiting, on a local run or in a test, until the providers' stand-ins have nothing more to report.</summary>
public static class LocalReceiptsSettle
{
    /// <summary>
    /// Until a pass changes nothing: Notify's stand-in settles (texts' outcomes, the print run, its callbacks), SendGrid's
    /// posts its events, and the pipeline is idle again (a receipt may put a fallback on the queues). False when something
    /// was still going at a timeout.
    /// </summary>
    public static async Task<bool> UntilQuietAsync(SendGridStandIn? sendGrid, NotifyStandIn notify, Func<Task<bool>> idle, TimeSpan timeout)
    {
        var ok = true;
        for (var pass = 0; pass < 20; pass++)
        {
            var before = Fingerprint(sendGrid, notify);
            ok &= await notify.SettleAsync(timeout);
            ok &= sendGrid is null || await sendGrid.FlushEventsAsync(timeout);
            ok &= await idle();
            if (Fingerprint(sendGrid, notify) == before)
            {
                break;
            }
        }

        return ok;
    }

    /// <summary>What became of the letters, in Notify's words: "3 letters accepted, then 3 received after the stand-in's print run".</summary>
    public static string Letters(IReadOnlyList<NotifyNotification> accepted)
    {
        var letters = accepted.Where(n => n.Type == "letter").ToList();
        var received = letters.Count(l => l.Statuses.Select(s => s.Status).SkipWhile(s => s != "accepted").Skip(1).Contains("received"));
        return $"{letters.Count} letter{(letters.Count == 1 ? "" : "s")} accepted, then {received} received after the stand-in's print run";
    }

    private static (int, int, int, int) Fingerprint(SendGridStandIn? sendGrid, NotifyStandIn notify) =>
        (sendGrid?.Accepted.Count ?? 0, sendGrid is null ? 0 : sendGrid.Events.Posted + sendGrid.Events.Failed, notify.Accepted.Count, notify.Callbacks.Count);
}
