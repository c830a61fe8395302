using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Calendar;
using Referrals.Deadlines;
using Referrals.Pipeline.Deadlines;
using Xunit.Abstractions;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 29's deadline watch and `referrals status` on Azurite. Crime 102's victim is referred to general and idva; idva
/// refuses (400), so its referral is never delivered: at risk from noon on the working day before it is due, then late,
/// with one notice however often the watch runs and however often the snapshot comes again.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class DeadlineWatchTests(AzuriteFixture azurite, ITestOutputHelper log)
{
    [Fact]
    public async Task A_referral_near_its_deadline_and_undelivered_gets_its_notice_once_on_a_fake_clock()
    {
        await using var pipeline = new PipelineTestHost(azurite, services: (service, _) => service == "idva" ? 400 : 201);
        await pipeline.StartAsync();
        await pipeline.SendAsync([Samples.Lines[1]]);
        await pipeline.WaitUntilIdleAsync();
        var victim = Assert.Single(await pipeline.VictimsAsync());
        var dueBy = DateOnly.ParseExact(victim.ReferralDueBy, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var atRisk = DeadlineRule.AtRiskFrom(dueBy, new WorkingDayCalendar(), new TimeOnly(12, 0));
        var clock = new SettableTime(atRisk.AddMinutes(-1));
        var watch = ActivatorUtilities.CreateInstance<DeadlineWatch>(pipeline.Services, (TimeProvider)clock);
        var metrics = pipeline.Services.GetRequiredService<PipelineMetrics>();

        var before = await watch.WatchAsync(CancellationToken.None);
        clock.Now = atRisk;
        var atNoon = await watch.WatchAsync(CancellationToken.None);
        var again = await watch.WatchAsync(CancellationToken.None);
        var found = await watch.SurveyAsync(clock.Now, CancellationToken.None);

        // The records system sends the same snapshot again (a redelivery): its rows are written again, the notice stays given.
        await pipeline.SendAsync([Samples.Lines[1]]);
        await pipeline.WaitUntilIdleAsync();
        clock.Now = atRisk.AddHours(3);
        var redelivered = await watch.WatchAsync(CancellationToken.None);
        clock.Now = IndexRuleLateFrom(dueBy);
        var late = await watch.WatchAsync(CancellationToken.None);

        Assert.Equal(new DeadlineCounts(0, 0, 0), before);
        Assert.Equal(new DeadlineCounts(1, 0, 1), atNoon);
        Assert.Equal(new DeadlineCounts(1, 0, 0), again);
        Assert.Equal(new DeadlineCounts(1, 0, 0), redelivered);
        Assert.Equal(new DeadlineCounts(0, 1, 0), late);
        var referral = Assert.Single(found);
        Assert.Equal(("DB/26/000102", "V1", "idva", DeadlineStanding.AtRisk, atRisk), (referral.CrimeReference, referral.VictimId, referral.ServiceId, referral.Standing, referral.NoticedAt));
        Assert.StartsWith($"at risk: due by {dueBy:yyyy-MM-dd}, delivery Failed", referral.Reason, StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total("referral-deadline:atrisk"));
        Assert.Equal(0, metrics.Total("referral-deadline:late"));
        var notice = Assert.Single(pipeline.Logs.Lines, l => l.Contains("is AtRisk", StringComparison.Ordinal));
        Assert.Contains("for crime DB/26/000102 to service idva", notice, StringComparison.Ordinal); // a well-formed reference, as LogIds logs it
        Assert.DoesNotMatch("Taylor|Sam|victim@example", notice);
    }

    [Fact]
    public async Task Referrals_status_shows_every_item_exits_3_when_something_is_late_and_its_storage_requests_do_not_grow_with_history()
    {
        await using var pipeline = new PipelineTestHost(azurite, services: (service, _) => service == "idva" ? 400 : 201);
        await pipeline.StartAsync();
        var recorded = DateTimeOffset.UtcNow.AddDays(-10);

        // Recorded ten days ago: idva's referral is late now; general's is delivered. Nothing has run yet: the first status says so.
        await pipeline.SendAsync([Recent(Samples.Lines[1], "DB/26/900001", recorded)]);
        await pipeline.WaitUntilIdleAsync();
        var (empty, none) = await pipeline.CliAsync("status");
        await RunTimersAsync(pipeline);
        var (exitCode, output) = await pipeline.CliAsync("status");

        // More history that is fine (delivered referrals, an auto-referred victim): the same requests.
        await pipeline.SendAsync([.. Enumerable.Range(2, 6).Select(n => Recent(Samples.Lines[4], $"DB/26/90000{n}", recorded))]);
        await pipeline.WaitUntilIdleAsync();
        await RunTimersAsync(pipeline);
        var (laterExit, later) = await pipeline.CliAsync("status");

        // The same view as the dashboard's operators' section: counted, never listed.
        var dashboard = pipeline.Services.GetRequiredService<Dashboard.DashboardEndpoint>();
        var section = await dashboard.HandleAsync("status", [], unsuppressed: false, CancellationToken.None);
        var page = System.Text.Encoding.UTF8.GetString((await dashboard.HandleAsync("", [], unsuppressed: false, CancellationToken.None)).Body);
        var script = await dashboard.HandleAsync("status.js", [], unsuppressed: false, CancellationToken.None);
        using var json = System.Text.Json.JsonDocument.Parse(section.Body);

        Assert.True(empty == 3, none);
        Assert.Contains("LATE timer WatchReferralDeadlines: no run recorded on this storage", none, StringComparison.Ordinal);
        Assert.Contains("Outbound sending: not known yet", none, StringComparison.Ordinal);
        Assert.True(exitCode == 3, output);
        Assert.Contains("NEEDS ATTENTION", output, StringComparison.Ordinal);
        Assert.Contains("  ! referrals late: 1 not delivered by the end of their due date", output, StringComparison.Ordinal);
        Assert.Contains("  ok   timer WatchReferralDeadlines: last completed ", output, StringComparison.Ordinal);
        Assert.Contains("(referrals at risk 0, late 1, newly noticed 1)", output, StringComparison.Ordinal);
        Assert.Contains("timer ReportDeadLetters", output, StringComparison.Ordinal);
        Assert.Contains("records system:", output, StringComparison.Ordinal);
        Assert.Contains("Queues (messages waiting): crime-events 0, crime-events-poison 0, entitlement-messages 0,", output, StringComparison.Ordinal);
        Assert.Contains("Dead letters: rejected 0, poison 1", output, StringComparison.Ordinal);
        Assert.Contains("Referrals: 0 at risk, 1 late", output, StringComparison.Ordinal);
        Assert.Matches(@"  late    due \d{4}-\d{2}-\d{2}  crime DB/26/900001  victim V1  service idva: late: due by \d{4}-\d{2}-\d{2}, delivery Failed; noticed ", output);
        Assert.Matches(@"Tasks: \d+ open, 0 overdue", output);
        Assert.Contains("Outbound sending: on (as the app said at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("general:", output, StringComparison.Ordinal);
        Assert.Contains("service idva", output, StringComparison.Ordinal);

        Assert.True(laterExit == 3, later);
        Assert.Contains("Referrals: 0 at risk, 1 late", later, StringComparison.Ordinal);
        Assert.Equal((200, "application/json; charset=utf-8"), (section.Status, section.ContentType));
        Assert.False(json.RootElement.GetProperty("healthy").GetBoolean());
        Assert.Equal(1, json.RootElement.GetProperty("referrals").GetProperty("late").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("deadLetters").GetProperty("poison").GetInt32());
        Assert.False(json.RootElement.GetProperty("outbound").GetProperty("paused").GetBoolean());
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "timer WatchReferralDeadlines" && c.GetProperty("healthy").GetBoolean());
        Assert.Contains("referrals late: 1", System.Text.Encoding.UTF8.GetString(section.Body), StringComparison.Ordinal);
        Assert.DoesNotContain("DB/26", System.Text.Encoding.UTF8.GetString(section.Body), StringComparison.Ordinal);
        Assert.Contains("<section id=\"operations\"", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/api/dashboard/status.js\" defer></script>", page, StringComparison.Ordinal);
        Assert.Equal(200, script.Status);

        log.WriteLine(output);
        log.WriteLine(later);
        var (first, second) = (Requests(output), Requests(later));
        Assert.InRange(first, 10, 25);
        Assert.Equal(first, second);
    }

    /// <summary>Every timer's work once, through its heartbeat, as the Functions host runs them (the app's schedules recorded).</summary>
    private static async Task RunTimersAsync(PipelineTestHost pipeline)
    {
        var heartbeats = pipeline.Services.GetRequiredService<Health.TimerHeartbeats>();
        foreach (var (function, _) in Health.WatchedTimers.All.Where(t => t.Function != "WatchReferralDeadlines"))
        {
            await heartbeats.RunAsync(function, _ => Task.FromResult(0), n => $"{n}", CancellationToken.None);
        }

        await heartbeats.RunAsync("WatchReferralDeadlines", pipeline.Services.GetRequiredService<DeadlineWatch>().WatchAsync, Health.TimerSummaries.Of, CancellationToken.None);
    }

    private static int Requests(string output) => int.Parse(RequestLine().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset IndexRuleLateFrom(DateOnly dueBy) => Referrals.Indexes.IndexRule.LateFrom(dueBy);

    /// <summary>A sample snapshot as another crime recorded at <paramref name="recorded"/> (synthetic, like the samples).</summary>
    private static string Recent(string line, string reference, DateTimeOffset recorded)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        node["eventId"] = Guid.NewGuid().ToString();
        node["sentAt"] = recorded.AddMinutes(20).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        node["crime"]!["reference"] = reference;
        node["crime"]!["recordedAt"] = recorded.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return node.ToJsonString();
    }

    [GeneratedRegex(@"Read with (\d+) storage requests\.")]
    private static partial Regex RequestLine();
}
