using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rulebook 1.1 end to end on Azurite: email, text message and letter with SendGrid (WireMock) and GOV.UK Notify (the
/// local stand-in, which checks requests as Notify does) over HTTP, receipts applied as the providers would send them.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class ContactPlanEndToEndTests(AzuriteFixture azurite)
{
    private static readonly string[] ContactLines = [.. Samples.Lines.Where(l => l.Contains("\"DB/26/00011", StringComparison.Ordinal) && !l.Contains("\"DB/26/000110\"", StringComparison.Ordinal))];

    private static Dictionary<string, VictimStateEntity> ByCrime(List<VictimStateEntity> victims) =>
        victims.ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);

    [Fact]
    public async Task Every_path_of_the_plan_reaches_the_victim_or_the_Victim_Care_Unit()
    {
        await using var pipeline = new PipelineTestHost(azurite, receipts: true);
        await pipeline.StartAsync();

        await pipeline.SendAsync(ContactLines.Where(l => !l.Contains("\"version\": 2", StringComparison.Ordinal)));
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync(ContactLines.Where(l => l.Contains("\"version\": 2", StringComparison.Ordinal)));
        await pipeline.WaitUntilIdleAsync();

        var victims = ByCrime(await pipeline.VictimsAsync());
        Assert.Equal((MessageStatus.Delivered, MessageStatus.Suppressed), (victims["DB/26/000111"].SmsStatus, victims["DB/26/000111"].EmailStatus));
        Assert.Equal(MessageStatus.Delivered, victims["DB/26/000112"].LetterStatus);
        Assert.Equal((MessageStatus.Delivered, MessageStatus.Suppressed), (victims["DB/26/000117"].LetterStatus, victims["DB/26/000117"].EmailStatus)); // a 070 number passed over, a BFPO address
        Assert.Equal((MessageStatus.Failed, MessageStatus.Delivered), (victims["DB/26/000114"].EmailStatus, victims["DB/26/000114"].SmsStatus));
        Assert.Equal((MessageStatus.Failed, MessageStatus.Delivered), (victims["DB/26/000116"].SmsStatus, victims["DB/26/000116"].LetterStatus));
        Assert.Equal(MessageStatus.Delivered, victims["DB/26/000115"].EmailStatus);
        Assert.False(victims["DB/26/000115"].Held);
        Assert.Contains(nameof(DeliveryKind.ContactNeeded), victims["DB/26/000113"].VcuTasks, StringComparison.Ordinal);
        var task = (await pipeline.DeliveryRowsAsync()).Single(d => d.Kind == DeliveryKind.ContactNeeded);
        Assert.Equal(("DB/26/000113", DeliveryStatus.Delivered, $"task:{task.TaskId}"), (task.CrimeReference, task.Status, task.Id));
        Assert.Equal([task.Id], pipeline.Deliveries().Where(d => d.Kind == nameof(DeliveryKind.ContactNeeded)).Select(d => d.Id));
        Assert.All(pipeline.Notify.Requests.Where(r => r.Path.StartsWith("POST ", StringComparison.Ordinal)), r => Assert.Equal(201, r.Status));
        Assert.Equal(3, pipeline.Notify.Accepted.Count(n => n.Type == "sms"));
        Assert.Equal(3, pipeline.Notify.Accepted.Count(n => n.Type == "letter"));

        // Texts are settled by Notify's callbacks over HTTP; letters, which get none, by the status timer once printed.
        Assert.Equal(3, pipeline.Notify.Callbacks.Count(c => c.HttpStatus == 200));
        Assert.All(pipeline.Notify.Accepted.Where(n => n.Type == "letter"), l => Assert.Equal(["accepted", "received"], l.Statuses.Select(s => s.Status)));
        Assert.Equal(
            pipeline.Notify.Accepted.Where(n => n.Type == "letter").Select(l => $"GET /v2/notifications/{l.Id}").Order(StringComparer.Ordinal),
            pipeline.Notify.Requests.Where(r => r.Path.StartsWith("GET ", StringComparison.Ordinal) && r.Status == 200).Select(r => r.Path).Distinct().Where(p => pipeline.Notify.Accepted.Any(l => l.Type == "letter" && p.EndsWith(l.Id, StringComparison.Ordinal))).Order(StringComparer.Ordinal));

        // Counted in October, the month the information was first asked for, fallbacks included.
        var tallies = await pipeline.TalliesAsync(new Referrals.Tallies.Month(2026, 10));
        var october = new Referrals.Tallies.Month(2026, 10);
        Assert.Equal(
            (1L, 2L, 3L, 1L, 1L, 0L, 1L, 1L),
            (tallies[october, TallyCategories.InformedBy(Channel.Email)], tallies[october, TallyCategories.InformedBy(Channel.Sms)], tallies[october, TallyCategories.InformedBy(Channel.Letter)],
             tallies[october, TallyCategories.MessageFailed(Channel.Email)], tallies[october, TallyCategories.MessageFailed(Channel.Sms)], tallies[october, TallyCategories.MessageFailed(Channel.Letter)],
             tallies[october, TallyCategories.ContactNeeded], tallies[october, TallyCategories.HeldContact]));

        // The six victims informed, each in one bucket of working days from the recorded date (Monday 5 October) to
        // today (every receipt comes now), counted here without the pipeline's calendar code.
        var calendar = new Referrals.Calendar.WorkingDayCalendar();
        var (recorded, today) = (new DateOnly(2026, 10, 5), Referrals.Calendar.London.DateOf(DateTimeOffset.UtcNow));
        var days = today <= recorded ? 0 : Math.Min(6, 1 + Enumerable.Range(1, today.DayNumber - recorded.DayNumber - 1).Count(i => calendar.IsWorkingDay(recorded.AddDays(i))));
        Assert.Equal(
            [.. TallyCategories.InformedAfter.Select(k => k == TallyCategories.InformedAfterWorkingDays(days) ? 6L : 0L)],
            TallyCategories.InformedAfter.Select(k => tallies[october, k]));
        Assert.Equal((days <= 1 ? 6L : 0L, days <= 2 ? 6L : 0L), (tallies[october, TallyCategories.InformedWithinOneWorkingDay], tallies[october, TallyCategories.InformedWithinTwoWorkingDays]));
        Assert.Equal(days, tallies.MedianOf(october).Value?.Days);
        Assert.All(victims.Values.Where(v => v.Held is false), v => Assert.Equal("2026-10-05", v.RecordedOn));
    }

    [Fact]
    public async Task A_victim_who_prefers_Welsh_is_texted_in_Welsh_and_written_to_in_Welsh_then_English_with_the_forces_own_wording()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        string Welsh(string crime) => ContactLines.Single(l => l.Contains($"\"{crime}\"", StringComparison.Ordinal) && !l.Contains("\"version\": 2", StringComparison.Ordinal))
            .Replace("\"givenName\"", "\"preferredLanguage\": \"cy\", \"givenName\"", StringComparison.Ordinal);

        await pipeline.SendAsync([Welsh("DB/26/000111"), Welsh("DB/26/000112")]);
        await pipeline.WaitUntilIdleAsync();

        var text = Assert.Single(pipeline.Notify.Accepted, n => n.Type == "sms");
        Assert.Equal(LocalHost.LocalNotify.WelshSmsTemplateId, text.TemplateId);
        Assert.StartsWith("Heddlu Enghraifft: DB/26/000111. Perygl? Ffoniwch 999.", text.Content, StringComparison.Ordinal);
        var letter = Assert.Single(pipeline.Notify.Accepted, n => n.Type == "letter");
        Assert.Equal(LocalHost.LocalNotify.BilingualLetterTemplateId, letter.TemplateId);
        var (welsh, english) = (letter.Content.IndexOf("Heddlu Enghraifft", StringComparison.Ordinal), letter.Content.IndexOf("Example Constabulary", StringComparison.Ordinal));
        Assert.True(welsh >= 0 && english > welsh, "the Welsh half comes first, then the English");
        Assert.Contains("Annwyl Sam Taylor", letter.Content, StringComparison.Ordinal);
        Assert.Contains("Dear Sam Taylor", letter.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_three_deliveries_of_every_message_and_receipt_each_victim_gets_at_most_one_message_per_channel()
    {
        await using var pipeline = new PipelineTestHost(azurite, receipts: true, receiptCopies: 3);
        await pipeline.StartAsync();

        await pipeline.SendAsync(ContactLines.Concat(ContactLines).Concat(ContactLines).OrderBy(_ => Random.Shared.Next()));
        await pipeline.WaitUntilIdleAsync();

        // Every work item delivered twice more, as a queue may: nothing goes out again.
        var work = pipeline.Services.GetRequiredService<WorkQueues>();
        foreach (var victim in await pipeline.VictimsAsync())
        {
            foreach (var channel in Enum.GetValues<Channel>())
            {
                await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, channel), CancellationToken.None);
                await work.EnqueueMessageAsync(new MessageWorkItem(victim.CrimeReference, victim.VictimId, victim.Version, channel), CancellationToken.None);
            }

            foreach (var planned in WorkPlan.All(victim.ToStored().State))
            {
                var item = new ReferralWorkItem(planned.Kind, victim.CrimeReference, victim.VictimId, planned.ServiceId, "2026-10", victim.ToStored().State.ReferralDueBy);
                await work.EnqueueReferralAsync(item, CancellationToken.None);
                await work.EnqueueReferralAsync(item, CancellationToken.None);
            }
        }

        await pipeline.WaitUntilIdleAsync();

        Assert.All(pipeline.EmailsAccepted().GroupBy(e => (e.Crime, e.Victim)), g => Assert.Single(g));
        Assert.All(pipeline.Notify.Accepted.GroupBy(n => LocalHost.LocalSettings.Tokens.TryOpenNotify(n.Reference, out var send) ? (send.CrimeReference, send.VictimId, send.Channel) : default), g => Assert.Single(g));
        Assert.All(pipeline.Deliveries().GroupBy(d => d.Id), g => Assert.Single(g));

        // One channel delivered per victim reached, whatever the order (a held crime's first snapshot may come last and change nothing).
        var victims = ByCrime(await pipeline.VictimsAsync());
        foreach (var crime in new[] { "DB/26/000111", "DB/26/000112", "DB/26/000114", "DB/26/000115", "DB/26/000116" })
        {
            var v = victims[crime];
            Assert.Equal(1, new[] { v.EmailStatus == MessageStatus.Delivered, v.SmsStatus == MessageStatus.Delivered, v.LetterStatus == MessageStatus.Delivered }.Count(d => d));
        }
    }

    [Fact]
    public async Task A_held_crime_sends_nothing_until_its_next_snapshot_lifts_the_hold_then_everything_once()
    {
        await using var pipeline = new PipelineTestHost(azurite, receipts: true);
        await pipeline.StartAsync();
        var held = ContactLines.Single(l => l.Contains("DB/26/000115", StringComparison.Ordinal) && l.Contains("HoldContact", StringComparison.Ordinal));
        var released = ContactLines.Single(l => l.Contains("DB/26/000115", StringComparison.Ordinal) && !l.Contains("HoldContact", StringComparison.Ordinal));

        await pipeline.SendAsync([held, held]);
        await pipeline.WaitUntilIdleAsync();
        var victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.True(victim.Held);
        Assert.Equal(MessageStatus.Queued, victim.EmailStatus);
        Assert.Empty(pipeline.EmailsAccepted());
        Assert.Empty(pipeline.Deliveries());

        await pipeline.SendAsync([released, released, held]);
        await pipeline.WaitUntilIdleAsync();
        Assert.Single(pipeline.EmailsAccepted());
        Assert.Equal([nameof(DeliveryKind.Referral)], pipeline.Deliveries().Select(d => d.Kind));
        victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.Equal((false, MessageStatus.Delivered), (victim.Held, victim.EmailStatus));
    }

    [Fact]
    public async Task A_callback_that_never_comes_is_settled_by_the_status_timer_including_a_fallback()
    {
        // No receipts: Notify's callbacks never come.
        await using var pipeline = new PipelineTestHost(azurite);
        pipeline.Settings["Notify:StatusCheckAfter"] = "00:00:00";
        await pipeline.StartAsync();
        await pipeline.SendAsync(ContactLines.Where(l => l.Contains("DB/26/000111", StringComparison.Ordinal) || l.Contains("DB/26/000116", StringComparison.Ordinal)));
        await pipeline.WaitUntilIdleAsync();
        Assert.All(await pipeline.VictimsAsync(), v => Assert.Equal(MessageStatus.Sent, v.SmsStatus));

        var sweep = pipeline.Services.GetRequiredService<Notify.NotifyStatusSweep>();
        Assert.Equal(2, await sweep.SweepAsync(CancellationToken.None));
        await pipeline.WaitUntilIdleAsync();
        Assert.Equal(1, await sweep.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await sweep.SweepAsync(CancellationToken.None));

        var victims = ByCrime(await pipeline.VictimsAsync());
        Assert.Equal(MessageStatus.Delivered, victims["DB/26/000111"].SmsStatus);
        Assert.Equal((MessageStatus.Failed, MessageStatus.Delivered), (victims["DB/26/000116"].SmsStatus, victims["DB/26/000116"].LetterStatus));
        Assert.Equal(3, pipeline.Notify.Requests.Count(r => r.Path.StartsWith("GET ", StringComparison.Ordinal)));
    }
}
