using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Functions;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.SignIn;

namespace Referrals.Pipeline.Tests;

/// <summary>The health endpoint through the Functions app's own class, on Azurite, on a clock the test moves: late timers and a silent records system make it 503, naming each.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class HealthTests(AzuriteFixture azurite)
{
    /// <summary>Monday 7 December 2026, 09:00 in London (GMT): a working day.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string?> Settings = new() { [SignInOptions.PlatformSetting] = "True" };

    private sealed record Answer(HttpStatusCode Status, string Text, List<string> Problems, Dictionary<string, string> Checks);

    private static async Task<Answer> HealthAsync(FunctionsApp app)
    {
        var response = (FunctionResponse)await app.Function<GetHealth>().Run(FunctionsApp.Get("/api/health?code=a-function-key"), CancellationToken.None);
        using var json = JsonDocument.Parse(response.Text);
        Assert.Equal(response.StatusCode == HttpStatusCode.OK ? "healthy" : "unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("no-store", response.Header("Cache-Control"));
        return new(response.StatusCode, response.Text,
            [.. json.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)],
            json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("detail").GetString()!));
    }

    private static async Task RunTimersAsync(FunctionsApp app, params string[] except)
    {
        var timer = FunctionsApp.Timer();
        var runs = new Dictionary<string, Func<Task>>
        {
            [nameof(AggregateMonthlyTallies)] = () => app.Function<AggregateMonthlyTallies>().Run(timer, CancellationToken.None),
            [nameof(CheckNotifyStatuses)] = () => app.Function<CheckNotifyStatuses>().Run(timer, CancellationToken.None),
            [nameof(EscalateOverdueTasks)] = () => app.Function<EscalateOverdueTasks>().Run(timer, CancellationToken.None),
            [nameof(PurgePersonalData)] = () => app.Function<PurgePersonalData>().Run(timer, CancellationToken.None),
            [nameof(ReportDeadLetters)] = () => app.Function<ReportDeadLetters>().Run(timer, CancellationToken.None),
            [nameof(WatchReferralDeadlines)] = () => app.Function<WatchReferralDeadlines>().Run(timer, CancellationToken.None),
        };
        Assert.Equal(WatchedTimers.All.Select(t => t.Function).Order(StringComparer.Ordinal), runs.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, run) in runs.Where(r => !except.Contains(r.Key)))
        {
            await run();
        }
    }

    [Fact]
    public async Task Health_is_200_while_timers_run_and_snapshots_arrive_and_503_naming_a_late_timer_or_a_silent_records_system()
    {
        var clock = new SettableTime(Monday);
        await using var app = await FunctionsApp.StartAsync(azurite, Settings, clock);
        var ingest = app.Function<IngestCrimeEvent>();

        var first = await HealthAsync(app);
        await RunTimersAsync(app);
        await ingest.Run(FunctionsApp.Message(Samples.Lines[0]));

        clock.Now = Monday.AddMinutes(20);
        var running = await HealthAsync(app);

        // 09:40: every timer ran again at 09:38 but ReportDeadLetters, due at 09:05 (every 5 minutes) and 30 minutes past its grace.
        clock.Now = Monday.AddMinutes(38);
        await RunTimersAsync(app, except: nameof(ReportDeadLetters));
        clock.Now = Monday.AddMinutes(40);
        var late = await HealthAsync(app);
        await RunTimersAsync(app);
        var caughtUp = await HealthAsync(app);

        // 14:00: the timers are on time, but no snapshot since 09:00: 5 working hours, more than the 4 allowed.
        clock.Now = Monday.AddHours(5);
        await RunTimersAsync(app);
        var silent = await HealthAsync(app);
        await ingest.Run(FunctionsApp.Message(Samples.Lines[1]));
        var heard = await HealthAsync(app);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("watched from now; first due by 2026-12-07T09:05:00Z", first.Checks["timer ReportDeadLetters"]);
        Assert.Equal(HttpStatusCode.OK, running.Status);
        Assert.Empty(running.Problems);
        Assert.Equal(["timer AggregateMonthlyTallies", "timer CheckNotifyStatuses", "timer EscalateOverdueTasks", "timer PurgePersonalData", "timer ReportDeadLetters", "timer WatchReferralDeadlines", "records system", "sign-in"], running.Checks.Keys);
        Assert.StartsWith("last completed 2026-12-07T09:00:00Z (waiting: rejected 0, poison 0,", running.Checks["timer ReportDeadLetters"], StringComparison.Ordinal);
        Assert.StartsWith("last snapshot 2026-12-07T09:00:00Z, 20 min of working time ago", running.Checks["records system"], StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, late.Status);
        var problem = Assert.Single(late.Problems);
        Assert.StartsWith("timer ReportDeadLetters: late: last completed 2026-12-07T09:00:00Z", problem, StringComparison.Ordinal);
        Assert.Contains("due again by 2026-12-07T09:05:00Z (schedule '0 */5 * * * *' UTC) and not done 35 min later, past the grace of 30 min", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, caughtUp.Status);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, silent.Status);
        Assert.Equal("records system: silent: last snapshot 2026-12-07T09:00:00Z, 5 h of working time ago, more than the 4 h allowed (working hours 08:00-18:00 Europe/London on working days)", Assert.Single(silent.Problems));
        Assert.Equal(HttpStatusCode.OK, heard.Status);
        Assert.StartsWith("last snapshot 2026-12-07T14:00:00Z", heard.Checks["records system"], StringComparison.Ordinal);

        foreach (var answer in new[] { first, running, late, silent, heard })
        {
            Assert.DoesNotContain("DB/26", answer.Text, StringComparison.Ordinal);
            Assert.DoesNotMatch("@|\"givenName\"|Mensah|07700", answer.Text);
        }
    }

    [Fact]
    public async Task A_timer_that_keeps_failing_is_late_and_its_last_outcome_is_named_without_the_exceptions_message()
    {
        var clock = new SettableTime(Monday);
        await using var app = await FunctionsApp.StartAsync(azurite, Settings, clock);
        await RunTimersAsync(app);
        var store = app.Services.GetRequiredService<HeartbeatStore>();
        var heartbeats = app.Services.GetRequiredService<TimerHeartbeats>();

        clock.Now = Monday.AddHours(1);
        await RunTimersAsync(app, except: nameof(CheckNotifyStatuses));
        await Assert.ThrowsAsync<InvalidOperationException>(() => heartbeats.RunAsync<int>(nameof(CheckNotifyStatuses), _ => throw new InvalidOperationException("victim V1 of DB/26/000101"), n => $"{n}", CancellationToken.None));
        var failing = await HealthAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.Status);
        Assert.EndsWith("; last ran 2026-12-07T10:00:00Z: failed (InvalidOperationException)", Assert.Single(failing.Problems), StringComparison.Ordinal);
        Assert.DoesNotContain("DB/26", failing.Text, StringComparison.Ordinal);
        Assert.Equal("failed (InvalidOperationException)", (await store.ReadAsync(CancellationToken.None))[HeartbeatStore.TimerRow(nameof(CheckNotifyStatuses))].LastOutcome);
    }

    [Fact]
    public async Task Sign_in_off_and_settings_that_cannot_be_read_make_health_503_naming_them()
    {
        await using var off = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = null });
        await using var broken = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = "True", ["Health:WorkingDayStart"] = "19:00", ["DEAD_LETTER_REPORT_SCHEDULE"] = null });

        var signInOff = await HealthAsync(off);
        var badSettings = await HealthAsync(broken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, signInOff.Status);
        Assert.Equal("sign-in: App Service authentication is off (WEBSITE_AUTH_ENABLED is not true): the dashboard, the worklist and the tallies API refuse everyone", Assert.Single(signInOff.Problems));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, badSettings.Status);
        Assert.Equal(["health settings: Health:WorkingDayStart must be before WorkingDayEnd"], badSettings.Problems);
    }

    [Fact]
    public async Task The_local_host_serves_the_same_health_endpoint_on_loopback_without_sign_in_and_says_so()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?>());
        await using var server = await new LocalHost.LocalTalliesServer(
            app.Services.GetRequiredService<Tallies.TalliesEndpoint>(), app.Services.GetRequiredService<Dashboard.DashboardEndpoint>(), app.Services.GetRequiredService<HealthEndpoint>()).StartAsync();
        using var http = new HttpClient();

        var health = await http.GetAsync(new Uri(server.HealthUrl));
        var dashboard = await http.GetAsync(new Uri(server.DashboardUrl));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.StartsWith("http://127.0.0.1:", server.HealthUrl, StringComparison.Ordinal);
        Assert.Contains("\"records system\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("sign-in", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("without sign-in", LocalHost.LocalTalliesServer.NoSignIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_records_system_is_recorded_at_most_once_a_minute_per_instance()
    {
        var clock = new SettableTime(Monday);
        await using var app = await FunctionsApp.StartAsync(azurite, Settings, clock);
        var pulse = app.Services.GetRequiredService<RecordsSystemPulse>();
        var store = app.Services.GetRequiredService<HeartbeatStore>();

        await pulse.HeardAsync(CancellationToken.None);
        clock.Now = Monday.AddSeconds(59);
        await pulse.HeardAsync(CancellationToken.None);
        var withinTheMinute = (await store.ReadAsync(CancellationToken.None))[HeartbeatStore.RecordsSystemRow].LastSnapshotAt;
        clock.Now = Monday.AddSeconds(61);
        await pulse.HeardAsync(CancellationToken.None);
        var after = (await store.ReadAsync(CancellationToken.None))[HeartbeatStore.RecordsSystemRow].LastSnapshotAt;

        Assert.Equal(Monday, withinTheMinute);
        Assert.Equal(Monday.AddSeconds(61), after);
    }
}
