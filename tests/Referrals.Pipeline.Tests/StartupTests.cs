using Azure.Storage.Queues;
using Referrals.LocalHost;

namespace Referrals.Pipeline.Tests;

/// <summary>Bad configuration stops the app at start-up, naming what is wrong, before any message is taken.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class StartupTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("\"endpoint\": \"https://api.victim-services.example/v1/referrals\"", "\"endpoint\": \"not a url\"", "services[0] (general): referral.endpoint 'not a url' must be an absolute https:// URL")]
    [InlineData("\"channel\": \"Http\", \"endpoint\": \"https://api.victim-services.example/v1/referrals\"", "\"channel\": \"Http\"", "services[0] (general): referral.endpoint is required")]
    [InlineData("\"channel\": \"Email\", \"address\": \"isva.referrals", "\"channel\": \"Pigeon\", \"address\": \"isva.referrals", "services[1] (isva): referral.channel 'Pigeon' is unknown")]
    public async Task A_broken_services_directory_stops_start_up_naming_the_entry(string find, string replace, string message)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"services-{Guid.NewGuid():N}.json");
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName));
        Assert.Contains(find, json, StringComparison.Ordinal);
        await File.WriteAllTextAsync(directory, json.Replace(find, replace, StringComparison.Ordinal));
        var settings = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:1", directory, tablePrefix: "tstart", queuePrefix: "tstart-");
        using var host = LocalPipelineHost.Build(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("services")]
    [InlineData("setting")]
    public async Task A_host_that_fails_start_up_takes_no_message(string broken)
    {
        var prefix = $"t{Guid.NewGuid():N}"[..9];
        var services = Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName);
        if (broken == "services")
        {
            services = Path.Combine(Path.GetTempPath(), $"services-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(services, "{ \"services\": [ { \"id\": \"general\" } ] }");
        }

        var settings = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:1", services, tablePrefix: prefix, queuePrefix: prefix + "-");
        if (broken == "setting")
        {
            settings["ServiceKeys:general"] = null;
        }

        var queue = new QueueClient(azurite.ConnectionString, prefix + "-crime-events", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        await queue.SendMessageAsync("{\"schema\":\"crime-event-v1\"}");
        using var host = LocalPipelineHost.Build(settings);

        await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        await Task.Delay(TimeSpan.FromSeconds(2)); // time enough for a queue listener, had one started, to take it

        var waiting = (await queue.PeekMessagesAsync(maxMessages: 32)).Value;
        Assert.Equal(0, Assert.Single(waiting).DequeueCount);
        await queue.DeleteAsync();
    }

    [Theory]
    [InlineData("Force:Name", null, "Force:Name is required")]
    [InlineData("Force:VictimCareUnitPhone", "call the front desk", "Force:VictimCareUnitPhone must be a phone number")]
    [InlineData("Force:PrivacyNotice", "http://www.police.example/privacy", "Force:PrivacyNotice must be an https:// address")]
    public async Task A_missing_or_malformed_force_identity_stops_start_up_naming_the_setting(string setting, string? value, string message)
    {
        var settings = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:1", Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName), tablePrefix: "tstart", queuePrefix: "tstart-");
        Assert.True(settings.ContainsKey(setting));
        settings[setting] = value;
        using var host = LocalPipelineHost.Build(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("front desk", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bilingual_force_without_its_Welsh_Notify_templates_stops_start_up_naming_them()
    {
        var settings = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:1", Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName), tablePrefix: "tstart", queuePrefix: "tstart-");
        settings["Force:Bilingual"] = "true";
        settings["Notify:BilingualLetterTemplateId"] = "";
        using var host = LocalPipelineHost.Build(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Notify:BilingualLetterTemplateId are required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_API_key_stops_start_up_naming_the_setting()
    {
        var settings = LocalSettings.For(azurite.ConnectionString, "http://127.0.0.1:1", Path.Combine(AppContext.BaseDirectory, Rules.ServiceDirectory.DefaultFileName), tablePrefix: "tstart", queuePrefix: "tstart-");
        settings["ServiceKeys:general"] = null;
        using var host = LocalPipelineHost.Build(settings);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("app setting 'ServiceKeys__general', which is not set", error.Message, StringComparison.Ordinal);
    }
}
