using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>The pipeline end to end through the local WebJobs host: real queue triggers and tables on Azurite, SendGrid over HTTP.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class EndToEndTests(AzuriteFixture azurite)
{
    private static Dictionary<(string, string), (string, string, string?)> States(List<VictimStateEntity> victims) =>
        victims.ToDictionary(v => (v.CrimeReference, v.VictimId), v => (v.ReferralStatus.ToString(), v.EmailStatus.ToString(), v.EmailReason));

    [Fact]
    public async Task The_samples_give_exactly_the_expected_emails_and_states()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        // The later consent (line 11) is sent after the first snapshots are in, so the history is seen in order.
        await pipeline.SendAsync(Samples.Lines[..10]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.SendAsync(Samples.Lines[10..]);
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(Samples.ExpectedStates, States(await pipeline.VictimsAsync()));
        var emails = pipeline.EmailsAccepted();
        Assert.Equal(Samples.ExpectedEmails.Order(), emails.Select(e => (e.Crime, e.Victim)).Order());
        Assert.Equal("parent@example.org", emails.Single(e => e.Crime == "DB/26/000106").To);
        Assert.Equal("bounce.victim@example.org", emails.Single(e => e.Crime == "DB/26/000114").To);
        Assert.Equal("late-bounce.victim@example.org", emails.Single(e => e.Crime == "DB/26/000120").To);
        Assert.All(emails.Where(e => e.Crime is not ("DB/26/000106" or "DB/26/000114" or "DB/26/000120")), e => Assert.Equal("victim@example.org", e.To));
        Assert.Equal(3, (await pipeline.DeadLettersAsync(DeadLetterKind.Rejected)).Count);
    }

    [Fact]
    public async Task Every_message_delivered_three_times_and_shuffled_emails_each_victim_once()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        var shuffled = Samples.Lines.Concat(Samples.Lines).Concat(Samples.Lines).OrderBy(_ => Random.Shared.Next()).ToList();
        await pipeline.SendAsync(shuffled);
        await pipeline.WaitUntilIdleAsync();

        var emails = pipeline.EmailsAccepted();
        Assert.Equal(Samples.ExpectedEmails.Order(), emails.Select(e => (e.Crime, e.Victim)).Order());

        // Out of order, the earlier snapshot of crime 103 may arrive after the later one and is then ignored
        // (the contract): its status is Referred rather than ConvertedToYes. Everything else is identical.
        var states = States(await pipeline.VictimsAsync());
        var expected = new Dictionary<(string, string), (string, string, string?)>(Samples.ExpectedStates);
        if (states[("DB/26/000103", "V1")].Item1 == "Referred")
        {
            expected[("DB/26/000103", "V1")] = ("Referred", "Sent", null);
        }

        // Likewise crime 101: if the later decline comes first, the victim was never referred, so nothing is withdrawn.
        if (states[("DB/26/000101", "V1")].Item1 == "OptedOut")
        {
            expected[("DB/26/000101", "V1")] = ("OptedOut", "Sent", null);
        }

        Assert.Equal(expected, states);
        var rejected = await pipeline.DeadLettersAsync(DeadLetterKind.Rejected);
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(3, r.Occurrences));
    }

    [Fact]
    public async Task SendGrid_throttling_and_outage_delay_emails_but_every_one_is_sent_once()
    {
        // Calls 1-2 are throttled (429 with Retry-After), 3-5 meet an outage (503); then SendGrid recovers.
        await using var pipeline = new PipelineTestHost(azurite, call => call switch
        {
            <= 2 => (429, "0"),
            <= 5 => (503, null),
            _ => (202, null),
        });
        await pipeline.StartAsync();

        await pipeline.SendAsync(Samples.Lines[..10]);
        await pipeline.WaitUntilIdleAsync();

        var emails = pipeline.EmailsAccepted();
        // The first ten lines are crimes 101 to 110 (the later ones, added with the contact plan, are not sent here).
        Assert.Equal(Samples.ExpectedEmails.Where(e => e.Crime != "DB/26/000103" && string.CompareOrdinal(e.Crime, "DB/26/000110") <= 0).Order(), emails.Select(e => (e.Crime, e.Victim)).Order());
        Assert.True(pipeline.SendGridCalls >= emails.Count + 5);
        Assert.DoesNotContain(await pipeline.VictimsAsync(), v => v.EmailStatus is MessageStatus.Queued or MessageStatus.Sending or MessageStatus.Failed);
    }

    [Fact]
    public async Task SendGrid_refusing_an_email_records_a_permanent_failure_and_does_not_retry()
    {
        await using var pipeline = new PipelineTestHost(azurite, _ => (400, null));
        await pipeline.StartAsync();

        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();

        var victim = Assert.Single(await pipeline.VictimsAsync());
        Assert.Equal(MessageStatus.Failed, victim.EmailStatus);
        Assert.StartsWith("SendGrid refused the email: 400", victim.EmailReason, StringComparison.Ordinal);
        Assert.Equal(1, pipeline.EntitlementEmailCalls);
        var poison = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison), p => p.Queue == pipeline.Options.MessageQueue);
        Assert.Equal(("DB/26/000101", "V1"), (poison.CrimeReference, poison.VictimId));
        Assert.StartsWith("SendGrid refused the email: 400", poison.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_left_Sending_by_a_dead_sender_is_never_sent_again_but_kept_for_an_operator()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[0]]);
        await pipeline.WaitUntilIdleAsync();
        Assert.Single(pipeline.EmailsAccepted());

        // As if a sender had called SendGrid and died before recording the result, long enough ago that its claim lapsed.
        var states = pipeline.Services.GetRequiredService<VictimStateStore>();
        var victim = Assert.Single(await pipeline.VictimsAsync());
        victim.EmailStatus = MessageStatus.Sending;
        victim.EmailAttemptedAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        var stored = victim.ToStored();
        Assert.NotNull(await states.TryReplaceAsync(stored, stored.State, CancellationToken.None));
        await pipeline.Services.GetRequiredService<WorkQueues>().EnqueueMessageAsync(new MessageWorkItem("DB/26/000101", "V1", 1), CancellationToken.None);
        await pipeline.WaitUntilIdleAsync();

        Assert.Single(pipeline.EmailsAccepted());
        Assert.Equal(MessageStatus.Unconfirmed, Assert.Single(await pipeline.VictimsAsync()).EmailStatus);
        var letter = Assert.Single(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));
        Assert.Contains("check SendGrid's activity", letter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_and_restarting_the_host_mid_run_loses_nothing_and_sends_nothing_twice()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var lines = Enumerable.Range(0, 60).Select(i => Samples.Lines[0]
            .Replace("4063e9bc-07fd-5efe-b2b6-1a2bcc895d7f", $"restart-{i}", StringComparison.Ordinal)
            .Replace("DB/26/000101", $"DB/26/9{i:D5}", StringComparison.Ordinal)).ToList();

        await pipeline.SendAsync(lines);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pipeline.EmailsAccepted().Count < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await pipeline.StopAsync();
        var sentBeforeRestart = pipeline.EmailsAccepted().Count;
        await pipeline.StartAsync();
        var (victims, crimesStillQueued, emailsStillQueued) = await pipeline.WaitUntilSettledAsync(expectedVictims: 60);

        Assert.True(sentBeforeRestart < 60, "the host should have been stopped mid-run");
        var emails = pipeline.EmailsAccepted();
        Assert.Equal(emails.Count, emails.Distinct().Count());

        // Nothing lost: every snapshot is stored or still on its queue, and every email is sent or still queued.
        // (A stop can leave a message the listener had just fetched hidden for the host's 10-minute lease:
        // it is processed after that, like in Azure.)
        Assert.Equal(60, victims.Count + crimesStillQueued);
        Assert.Equal(victims.Count, emails.Count + emailsStillQueued);
        Assert.All(victims, v => Assert.True(v.EmailStatus is MessageStatus.Sent or MessageStatus.Queued, v.EmailStatus.ToString()));
        Assert.Equal(emails.Count, victims.Count(v => v.EmailStatus == MessageStatus.Sent));
    }

    [Fact]
    public async Task Bad_messages_are_each_kept_with_their_reason_and_leave_no_victim_behind()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var schemaViolation = Samples.Lines[0].Replace("\"version\": 1", "\"version\": 0", StringComparison.Ordinal);
        var notUtf8 = Convert.ToBase64String([0x7B, 0xC3, 0x28, 0x7D]);

        await pipeline.SendAsync(["{\"schemaVersion\":1, not json", schemaViolation, Samples.Lines[14]]);
        await pipeline.CrimeEventsRaw.SendMessageAsync("this is not Base64!");
        await pipeline.CrimeEventsRaw.SendMessageAsync(notUtf8);
        await pipeline.WaitUntilIdleAsync();

        var rejected = await pipeline.DeadLettersAsync(DeadLetterKind.Rejected);
        Assert.Equal(5, rejected.Count);
        var reasons = rejected.Select(r => r.Reason).ToList();
        Assert.Contains(reasons, r => r.StartsWith("message is not valid JSON", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("crime.version must be a whole number", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("schemaVersion is not supported", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("message is not Base64", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("message is not valid UTF-8", StringComparison.Ordinal));
        Assert.Contains(rejected, r => Encoding.UTF8.GetString(r.Message) == "this is not Base64!");
        Assert.All(rejected, r => Assert.True(r.DequeueCount >= 1));
        Assert.Empty(await pipeline.VictimsAsync());
        Assert.Equal(0, pipeline.SendGridCalls);
    }

    [Fact]
    public async Task A_snapshot_over_64_KiB_never_enters_the_queue_and_nothing_is_half_processed()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var oversized = Samples.Lines[0].Replace("\"description\": \"\"", $"\"description\": \"{new string('x', 70_000)}\"", StringComparison.Ordinal);

        // Azure Storage caps a queue message at 64 KiB, so the records system is told at once; the parser's own
        // 64 KiB limit (unit-tested) guards every other way in.
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => pipeline.SendAsync([oversized]));
        Assert.Equal(413, refused.Status);
        await pipeline.WaitUntilIdleAsync();
        Assert.Empty(await pipeline.VictimsAsync());
    }

    [Fact]
    public async Task Logs_never_contain_a_victims_name_email_phone_or_date_of_birth()
    {
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();
        var withPhone = Samples.Lines[5].Replace("\"support\": \"NotAsked\"", "\"support\": \"NotAsked\", \"phone\": \"07700 900123\"", StringComparison.Ordinal);

        await pipeline.SendAsync([.. Samples.Lines, withPhone.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal)]);
        await pipeline.WaitUntilIdleAsync();

        Assert.NotEmpty(pipeline.Logs.Lines);
        Assert.Contains(pipeline.Logs.Lines, l => l.Contains("DB/26/000101", StringComparison.Ordinal));
        foreach (var personal in new[] { "Sam", "Taylor", "victim@example.org", "parent@example.org", "Jo Taylor", "2011-02-01", "07700 900123" })
        {
            Assert.DoesNotContain(pipeline.Logs.Lines, l => l.Contains(personal, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Logs_at_trace_level_never_contain_personal_values_put_in_the_wrong_fields()
    {
        // SendGrid refuses the first email, with an error body: what it says is never logged either.
        await using var pipeline = new PipelineTestHost(azurite, sendGrid: call => call == 1 ? (400, null) : (202, null), traceLogs: true);
        await pipeline.StartAsync();
        var wrongFields = HostileIdsTests.Snapshot("alex.morgan@example.net", ["Alex Morgan"], eventId: "1990-04-12");
        string[] hostile =
        [
            wrongFields,
            wrongFields, // again: stale this time
            HostileIdsTests.Snapshot("Jordan Reyes", ["07700 900456"], eventId: "Jordan Reyes"),
            HostileIdsTests.Snapshot("DB/26/000801", ["V1"], change: json => json["victims"]![0]!["emailSafe"] = "07700 900321"),
            HostileIdsTests.Snapshot("DB/26/000802", ["V1"], change: json => json["victims"]![0]!["dateOfBirth"] = "Casey Quinn"),
            HostileIdsTests.Snapshot("DB/26/000803", ["V1"], change: json => json["victims"]![0]!["support"] = "casey.quinn@example.net"),
            HostileIdsTests.Snapshot("DB/26/000804", ["V1"], eventId: "Casey Quinn", change: json => json["crime"]!["version"] = "1990-04-12"),
            Samples.Lines[4],
        ];

        await pipeline.SendAsync(hostile);
        await pipeline.WaitUntilIdleAsync();

        Assert.Equal(4, (await pipeline.DeadLettersAsync(DeadLetterKind.Rejected)).Count);
        Assert.Contains(pipeline.Logs.Lines, l => l.StartsWith("Trace", StringComparison.Ordinal) || l.StartsWith("Debug", StringComparison.Ordinal));
        string[] personal =
        [
            "Alex", "Morgan", "alex.morgan@example.net", "1990-04-12", "Jordan", "Reyes", "07700 900456", "07700 900321",
            "Casey", "Quinn", "casey.quinn@example.net", "Sam", "Taylor", "victim@example.org", "test error",
        ];
        var leaks = pipeline.Logs.Lines.Where(l => personal.Any(value => l.Contains(value, StringComparison.Ordinal))).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines carry personal data, e.g.:\n{string.Join("\n", leaks.Take(5))}");

        // Ordinary ids still read as they are; the others as hashes.
        Assert.Contains(pipeline.Logs.Lines, l => l.Contains("DB/26/000105", StringComparison.Ordinal));
        Assert.Contains(pipeline.Logs.Lines, l => l.Contains("#h:", StringComparison.Ordinal));
    }
}
