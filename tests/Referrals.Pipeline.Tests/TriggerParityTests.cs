using System.Reflection;
using System.Text.Json;
using Referrals.Functions;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using LocalHostSdk = Microsoft.Azure.WebJobs;
using Worker = Microsoft.Azure.Functions.Worker;

namespace Referrals.Pipeline.Tests;

public sealed record Trigger(string Function, string Kind, string Source, string? Connection);

/// <summary>The local WebJobs host must run exactly the Functions app's triggers, with the same settings, so the two cannot drift.</summary>
public class TriggerParityTests
{
    public static List<Trigger> FunctionsAppTriggers() =>
        [.. typeof(IngestCrimeEvent).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<Worker.FunctionAttribute>(), Parameters: m.GetParameters()))
            .Where(m => m.Function is not null)
            .SelectMany(m => m.Parameters.Select(p => p.GetCustomAttribute<Worker.QueueTriggerAttribute>() is { } queue
                    ? new Trigger(m.Function!.Name, "queue", queue.QueueName, queue.Connection)
                    : p.GetCustomAttribute<Worker.TimerTriggerAttribute>() is { } timer
                        ? new Trigger(m.Function!.Name, "timer", timer.Schedule, null)
                        : null))
            .OfType<Trigger>()
            .OrderBy(t => t.Function, StringComparer.Ordinal)];

    public static List<Trigger> LocalHostTriggers() =>
        [.. typeof(LocalFunctions).GetMethods()
            .Select(m => (Name: m.GetCustomAttribute<LocalHostSdk.FunctionNameAttribute>(), Parameters: m.GetParameters()))
            .Where(m => m.Name is not null)
            .SelectMany(m => m.Parameters.Select(p => p.GetCustomAttribute<LocalHostSdk.QueueTriggerAttribute>() is { } queue
                    ? new Trigger(m.Name!.Name, "queue", queue.QueueName, queue.Connection)
                    : p.GetCustomAttribute<LocalHostSdk.TimerTriggerAttribute>() is { } timer
                        ? new Trigger(m.Name!.Name, "timer", timer.ScheduleExpression, null)
                        : null))
            .OfType<Trigger>()
            .OrderBy(t => t.Function, StringComparer.Ordinal)];

    [Fact]
    public void The_local_host_has_the_same_triggers_as_the_Functions_app()
    {
        var functions = FunctionsAppTriggers();
        Assert.Equal(10, functions.Count); // DrainEntitlementEmails for one release after issue 19 named the messages queue; WatchReferralDeadlines (issue 29).
        Assert.Equal(functions, LocalHostTriggers());
    }

    [Fact]
    public void The_tallies_endpoint_is_a_GET_at_api_tallies_behind_a_function_key()
    {
        var trigger = typeof(GetTallies).GetMethod(nameof(GetTallies.Run))!.GetParameters()
            .Select(p => p.GetCustomAttribute<Worker.HttpTriggerAttribute>()).OfType<Worker.HttpTriggerAttribute>().Single();

        Assert.Equal(Worker.AuthorizationLevel.Function, trigger.AuthLevel);
        Assert.Equal(["get"], trigger.Methods ?? []);
        Assert.Equal("tallies", trigger.Route);
    }

    [Fact]
    public void The_health_endpoint_watches_every_timer_of_the_Functions_app_by_its_schedule_setting() =>
        Assert.Equal(
            FunctionsAppTriggers().Where(t => t.Kind == "timer").Select(t => (t.Function, t.Source)),
            Pipeline.Health.WatchedTimers.All.Select(w => (w.Function, $"%{w.ScheduleSetting}%")).OrderBy(w => w.Function, StringComparer.Ordinal));

    [Fact]
    public void Queues_and_schedules_come_from_settings_never_literals() =>
        Assert.All(FunctionsAppTriggers(), t => Assert.Matches("^%[A-Z_]+%$", t.Source));

    [Fact]
    public void Host_json_has_the_queue_settings_the_local_host_uses()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "parity", "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        Assert.Equal(QueueHostSettings.BatchSize, queues.GetProperty("batchSize").GetInt32());
        Assert.Equal(QueueHostSettings.NewBatchThreshold, queues.GetProperty("newBatchThreshold").GetInt32());
        Assert.Equal(QueueHostSettings.MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(QueueHostSettings.VisibilityTimeout, TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(QueueHostSettings.MaxPollingInterval, TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("none", queues.GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Local_settings_example_lists_every_setting_the_app_reads_and_nothing_else_but_the_retention_periods_written_once_in_code()
    {
        using var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "parity", "local.settings.example.json")));
        var listed = example.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)
            .Except(AppSettingsCatalog.HostSettings).Append("AzureWebJobsStorage").ToHashSet(StringComparer.Ordinal);

        Assert.Equal(AppSettingsCatalog.SettingsToSet(), listed.Order(StringComparer.Ordinal));
        Assert.Subset(AppSettingsCatalog.SettingsTheAppReads(), AppSettingsCatalog.DefaultedInCode());
        Assert.Equal(["Retention__AuditDays", "Retention__DeadLetterDays", "Retention__PersonalDataDays"], AppSettingsCatalog.DefaultedInCode());
    }

    [Fact]
    public void Each_function_class_is_named_like_its_function()
    {
        var functionClasses = typeof(IngestCrimeEvent).Assembly.GetTypes().Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<Worker.FunctionAttribute>() is not null));
        Assert.All(functionClasses, t => Assert.Equal(t.Name, t.GetMethods().Single(m => m.GetCustomAttribute<Worker.FunctionAttribute>() is not null).GetCustomAttribute<Worker.FunctionAttribute>()!.Name));
    }
}
