using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 22 end to end on Azurite, in one run: letters settled by the real status timer (<c>NotifyStatusSweep</c>) from
/// the Notify stand-in's answers, <c>accepted</c> then <c>received</c> or a failure; a returned letter through the
/// returned-letter callback endpoint over HTTP; an email SendGrid's stand-in reports delivered and then bounces
/// asynchronously (no <c>sg_message_id</c>), through the signed webhook; and a returned letter for an erased victim.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class DeliveredMeansReachedEndToEndTests(AzuriteFixture azurite)
{
    private static readonly (string Crime, string Street)[] LetterFailures =
    [
        ("DB/26/000202", "1 Cancelled House"),
        ("DB/26/000203", "2 Technical Failure House"),
        ("DB/26/000204", "3 Permanent Failure House"),
        ("DB/26/000205", "4 Validation Failed House"),
    ];

    [Fact]
    public async Task Letters_count_at_received_failures_returned_letters_and_late_bounces_move_the_plan_on_and_an_erased_victim_is_left_alone()
    {
        await using var pipeline = new PipelineTestHost(azurite, receipts: true);
        await pipeline.StartAsync();
        await pipeline.SendAsync(
        [
            ContactSnapshots.Json("DB/26/000201", null, true, "e0000000-0000-4000-8000-000000000201"),
            .. LetterFailures.Select((f, i) => ContactSnapshots.Json(f.Crime, null, true, $"e0000000-0000-4000-8000-00000000020{i + 2}", street: f.Street)),
            ContactSnapshots.Json("DB/26/000206", "07700 900206", false, "e0000000-0000-4000-8000-000000000206", email: "late-bounce.victim@example.org"),
            ContactSnapshots.Json("DB/26/000207", null, true, "e0000000-0000-4000-8000-000000000207"),
            ContactSnapshots.Json("DB/26/000208", null, true, "e0000000-0000-4000-8000-000000000208", street: "5 Awaiting Print House"),
        ]);
        await pipeline.WaitUntilIdleAsync();

        var victims = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, v => v.ToStored().State, StringComparer.Ordinal);
        var month = Month.Of(DateTimeOffset.UtcNow);

        // A letter: accepted, looked up while it waits for the print run, delivered only at received.
        var letters = pipeline.Notify.Accepted.Where(n => n.Type == "letter").ToList();
        Assert.Equal(7, letters.Count);
        Assert.Equal(MessageStatus.Sent, victims["DB/26/000208"].Contact.Letter.Status); // still accepted: looked up again next time
        Assert.Equal(MessageStatus.Delivered, victims["DB/26/000201"].Contact.Letter.Status);
        Assert.Equal(["accepted", "received"], letters.Single(l => l.To.Contains("12 Example Street", StringComparison.Ordinal) && IsOf(l, victims["DB/26/000201"])).Statuses.Select(s => s.Status));

        // Each failure after accepted fails the letter for good, and with no safe channel left the Unit is asked.
        foreach (var (crime, _) in LetterFailures)
        {
            var v = victims[crime];
            Assert.Equal(MessageStatus.Failed, v.Contact.Letter.Status);
            Assert.Equal(TaskKind.ContactNeeded, Assert.Single(v.Tasks.Tasks, t => t.IsOpen).Kind);
            Assert.DoesNotContain(TallyCategories.InformedBy(Channel.Letter), v.Counted.Keys);
        }

        // An asynchronous bounce after delivered: the email failed after all, the text message followed and was delivered.
        var bounced = victims["DB/26/000206"];
        Assert.Equal((MessageStatus.Failed, MessageStatus.Delivered), (bounced.Contact.Email.Status, bounced.Contact.Sms.Status));
        Assert.Equal(month, bounced.Counted[TallyCategories.InformedThenFailed(Channel.Email)]);
        Assert.Contains(TallyCategories.InformedBy(Channel.Sms), bounced.Counted.Keys);

        // The one-off look-up after deploy: a letter counted delivered at accepted (as before revision 1.2) that is still
        // waiting for the print run goes back to sent; a received one stays delivered.
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        var old = (await states.LoadVictimAsync("DB/26/000208", "V1", CancellationToken.None))!;
        var now = DateTimeOffset.UtcNow;
        var countedAtAccepted = ContactRule.Apply(old.State.With(Channel.Letter, MessageTransition.Delivered(old.State.Contact.Letter, now)), now, month, new Referrals.Calendar.WorkingDayCalendar());
        Assert.NotNull(await states.TryReplaceAsync(old, countedAtAccepted, CancellationToken.None, TallyRule.Between(old.State, countedAtAccepted)));
        var rechecked = await pipeline.Services.GetRequiredService<Notify.LetterRecheck>().RunAsync(CancellationToken.None);
        Assert.Equal(new Notify.LetterRecheckCounts(3, 2, 1, 0, 0), rechecked);
        var reopened = (await states.LoadVictimAsync("DB/26/000208", "V1", CancellationToken.None))!.State;
        Assert.Equal(MessageStatus.Sent, reopened.Contact.Letter.Status);
        Assert.Equal(countedAtAccepted.Counted, reopened.Counted);
        Assert.Equal(new Notify.LetterRecheckCounts(2, 2, 0, 0, 0), await pipeline.Services.GetRequiredService<Notify.LetterRecheck>().RunAsync(CancellationToken.None));

        // A returned letter (weeks later, through its own callback): the plan goes on to a ContactNeeded task.
        var returned = letters.Single(l => IsOf(l, victims["DB/26/000201"]));
        Assert.True(pipeline.Notify.ReturnLetter(returned.Id));

        // An erased victim's returned letter is acknowledged and changes nothing.
        var erasedLetter = letters.Single(l => IsOf(l, victims["DB/26/000207"]));
        Assert.Equal(ErasureOutcome.Erased, await pipeline.Services.GetRequiredService<Erasure>().EraseAsync("DB/26/000207", "V1", "erasure request ER-22", "dpo@police.example", CancellationToken.None));
        var beforeReturn = (await pipeline.VictimsAsync()).Single(v => v.CrimeReference == "DB/26/000207");
        Assert.True(pipeline.Notify.ReturnLetter(erasedLetter.Id));
        await pipeline.WaitUntilIdleAsync();

        var after = (await pipeline.VictimsAsync()).ToDictionary(v => v.CrimeReference, StringComparer.Ordinal);
        var letter = after["DB/26/000201"].ToStored().State;
        Assert.Equal((MessageStatus.Failed, MessageReason.ReportedFailed), (letter.Contact.Letter.Status, letter.Contact.Letter.Reason));
        Assert.Equal(TaskKind.ContactNeeded, Assert.Single(letter.Tasks.Tasks, t => t.IsOpen).Kind);
        Assert.Equal(month, letter.Counted[TallyCategories.InformedThenFailed(Channel.Letter)]);
        Assert.Equal(beforeReturn.ETag, after["DB/26/000207"].ETag);
        Assert.Equal(MessageStatus.Delivered, after["DB/26/000207"].LetterStatus);
        Assert.All(pipeline.Notify.Callbacks.Where(c => c.Kind == "returned-letter"), c => Assert.Equal(200, c.HttpStatus));
        Assert.Equal(2, pipeline.Notify.Callbacks.Count(c => c.Kind == "returned-letter"));

        NothingOfTheVictimLeaves(pipeline, [.. victims.Keys]);

        // The tallies (DB/26/000208 counted at accepted above, as before revision 1.2): informed once each (in the month
        // the information was asked for), the failures after the fact
        // beside them in the month they were learnt.
        var tallies = await pipeline.TalliesAsync(new Month(2026, 10), month);
        Assert.Equal(
            (3L, 1L, 1L, 1L, 4L, 4L),
            (tallies.Total(TallyCategories.InformedBy(Channel.Letter)), tallies[month, TallyCategories.InformedThenFailed(Channel.Letter)],
             tallies[month, TallyCategories.InformedThenFailed(Channel.Email)], tallies[month, TallyCategories.InformedBy(Channel.Sms)],
             tallies.Total(TallyCategories.MessageFailed(Channel.Letter)), tallies.Total(TallyCategories.InformedInWriting)));
    }

    /// <summary>
    /// Everything that names a message to a provider (Notify's reference; SendGrid's custom args, categories and headers
    /// other than the content's language), decoded as far as it can be without the key: none holds a crime reference, a
    /// victim id or anything else of the victim, and each token opens to its send with the key.
    /// </summary>
    private static void NothingOfTheVictimLeaves(PipelineTestHost pipeline, IReadOnlyCollection<string> crimes)
    {
        var identifiers = pipeline.Notify.Accepted.Select(n => n.Reference).ToList();
        foreach (var mail in pipeline.AcceptedMail("entitlement-email"))
        {
            var to = mail.GetProperty("personalizations")[0];
            Assert.Equal([Referrals.Receipts.SendGridEvents.TokenArg], to.GetProperty("custom_args").EnumerateObject().Select(a => a.Name));
            identifiers.Add(to.GetProperty("custom_args").GetProperty(Referrals.Receipts.SendGridEvents.TokenArg).GetString()!);
            Assert.Equal(["entitlement-email"], mail.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
            var messageId = mail.GetProperty("headers").GetProperty("Message-ID").GetString()!;
            Assert.Matches("^<rt1\\.[A-Za-z0-9_-]+@police\\.example>$", messageId);
            identifiers.Add(messageId[1..messageId.IndexOf('@', StringComparison.Ordinal)]);
        }

        Assert.Equal(pipeline.Notify.Accepted.Count + (2 * pipeline.EmailsAccepted().Count), identifiers.Count);
        Assert.True(identifiers.Count > pipeline.Notify.Accepted.Count);
        foreach (var identifier in identifiers)
        {
            Assert.True(LocalHost.LocalSettings.Tokens.TryOpen(identifier, out var send));
            Assert.Contains(send.CrimeReference, crimes);
            var decoded = System.Text.Encoding.Latin1.GetString(Convert.FromBase64String(identifier[4..].Replace('-', '+').Replace('_', '/') + new string('=', (4 - (identifier[4..].Length % 4)) % 4)));
            foreach (var value in new[] { send.CrimeReference, send.VictimId, "DB/26/", "Sam", "Taylor", "Example Street", "@example.org" })
            {
                Assert.DoesNotContain(value, identifier, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(value, decoded, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private static bool IsOf(StandIns.Notify.NotifyNotification letter, VictimState victim) =>
        string.Equals(letter.Id, victim.Contact.Letter.ProviderId, StringComparison.OrdinalIgnoreCase);
}
