using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tasks;
using Referrals.State;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.2 section 6: an email SendGrid accepted (its stand-in posts <c>processed</c> and nothing more) that has no final
/// status 96 hours after its send asks the Victim Care Unit to make contact, once, through the status timer and the month
/// index (<see cref="AcceptedEmailSettlement"/>); one SendGrid delivered never does. One clock, moved by the test.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class AcceptedEmailSettlementTests(AzuriteFixture azurite)
{
    private const string Silent = "DB/26/960001";
    private const string Heard = "DB/26/960002";

    [Fact]
    public async Task An_email_accepted_without_a_final_event_raises_one_ContactNeeded_task_96_hours_after_its_send_and_a_delivered_one_none()
    {
        var time = new SettableTime(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var pipeline = new PipelineTestHost(azurite, time: time, receipts: true, notifyOnSameClock: true);
        await pipeline.StartAsync();
        var sweep = pipeline.Services.GetRequiredService<NotifyStatusSweep>();
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        async Task<VictimState> VictimAsync(string crime) => (await states.LoadVictimAsync(crime, "V1", CancellationToken.None))!.State;
        async Task<List<TaskIndexEntity>> OpenTasksAsync(string crime) =>
            await pipeline.Services.GetRequiredService<TaskIndex>().OpenAsync(CancellationToken.None).Where(t => t.CrimeReference == crime).ToListAsync();

        var t0 = time.Now;
        await pipeline.SendAsync([
            ContactSnapshots.Json(Silent, null, address: false, "accepted-1", email: "no-final-1@example.org"),
            ContactSnapshots.Json(Heard, null, address: false, "accepted-2", email: "heard-2@example.org")]);
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal((MessageStatus.Sent, MessageStatus.Delivered), ((await VictimAsync(Silent)).Contact.Email.Status, (await VictimAsync(Heard)).Contact.Email.Status));

        // 95 hours on, SendGrid may still defer it and post its final event: nothing is raised.
        time.Now = t0 + TimeSpan.FromHours(95);
        await sweep.SweepAsync(CancellationToken.None);
        var waiting = await VictimAsync(Silent);
        Assert.Equal((MessageStatus.Sent, (MessageReason?)null), (waiting.Contact.Email.Status, waiting.Contact.Email.Reason));
        Assert.DoesNotContain(waiting.Tasks.Tasks, t => t.Kind == TaskKind.ContactNeeded);

        // 96 hours on: unsettled, the status as it was, one task; the timer run again (and the idle wait's run) changes nothing.
        time.Now = t0 + TimeSpan.FromHours(96) + TimeSpan.FromMinutes(1);
        Assert.Equal(1, await sweep.SweepAsync(CancellationToken.None));
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal(0, await sweep.SweepAsync(CancellationToken.None));
        Assert.Equal(0, (await pipeline.Services.GetRequiredService<AcceptedEmailSettlement>().SettleAsync(0, CancellationToken.None)).Read);

        var silent = await VictimAsync(Silent);
        Assert.Equal((MessageStatus.Sent, MessageReason.Unsettled, 1, 0), (silent.Contact.Email.Status, silent.Contact.Email.Reason, silent.Contact.Email.Attempts, silent.Contact.Email.Resends));
        Assert.Single(silent.Tasks.Tasks, t => t is { Kind: TaskKind.ContactNeeded, IsOpen: true });
        Assert.Equal(TaskKind.ContactNeeded, Assert.Single(await OpenTasksAsync(Silent)).Kind);
        Assert.Single(pipeline.EmailsAccepted(), e => e.Crime == Silent);

        var heard = await VictimAsync(Heard);
        Assert.Equal(MessageStatus.Delivered, heard.Contact.Email.Status);
        Assert.DoesNotContain(heard.Tasks.Tasks, t => t.Kind == TaskKind.ContactNeeded);
        Assert.Empty(await OpenTasksAsync(Heard));
    }
}
