using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Referrals.Pipeline.Configuration;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Every app setting the app reads, found from its code rather than listed by hand: the %NAME% of trigger
/// attributes, their connections, and the properties of the typed options classes.
/// </summary>
public static partial class AppSettingsCatalog
{
    /// <summary>Read by the Functions host itself, not by our code.</summary>
    public static readonly string[] HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];

    /// <summary>
    /// Settings whose values are written once, as their options class's defaults (the retention periods): read by the app,
    /// left out of Bicep and local.settings.example.json, set by a deployment only to override one.
    /// </summary>
    public static SortedSet<string> DefaultedInCode()
    {
        var settings = new SortedSet<string>(StringComparer.Ordinal);
        AddSection(settings, RetentionOptions.Section, typeof(RetentionOptions));
        return settings;
    }

    /// <summary>What Bicep and local.settings.example.json set: every setting the app reads, but those <see cref="DefaultedInCode"/>.</summary>
    public static SortedSet<string> SettingsToSet() => new(SettingsTheAppReads().Except(DefaultedInCode()), StringComparer.Ordinal);

    /// <summary>Read by our code but set by App Service itself: never by Bicep or local settings (a test checks Bicep does not).</summary>
    public static readonly string[] PlatformSettings = [SignIn.SignInOptions.PlatformSetting];

    public static SortedSet<string> SettingsTheAppReads()
    {
        var settings = new SortedSet<string>(StringComparer.Ordinal) { "AzureWebJobsStorage" };
        foreach (var trigger in TriggerParityTests.FunctionsAppTriggers())
        {
            foreach (Match match in Percent().Matches(trigger.Source))
            {
                settings.Add(match.Groups[1].Value);
            }

            if (trigger.Connection is not null)
            {
                settings.Add(trigger.Connection);
            }
        }

        foreach (var property in typeof(PipelineOptions).GetProperties().Where(p => p.CanWrite))
        {
            settings.Add(property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name);
        }

        foreach (var property in typeof(Functions.Telemetry.MetricsExportOptions).GetProperties().Where(p => p.CanWrite))
        {
            settings.Add(property.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name);
        }

        AddSection(settings, RulesOptions.Section, typeof(RulesOptions));
        AddSection(settings, SendGridOptions.Section, typeof(SendGridOptions));
        AddSection(settings, ForwardingOptions.Section, typeof(ForwardingOptions));
        AddSection(settings, NotifyOptions.Section, typeof(NotifyOptions));
        AddSection(settings, OutboundOptions.Section, typeof(OutboundOptions));
        AddSection(settings, TalliesOptions.Section, typeof(TalliesOptions));
        AddSection(settings, ForceOptions.Section, typeof(ForceOptions));
        AddSection(settings, RetentionOptions.Section, typeof(RetentionOptions));
        AddSection(settings, Logging.LogRedactionOptions.Section, typeof(Logging.LogRedactionOptions));
        AddSection(settings, Receipts.ReceiptOptions.Section, typeof(Receipts.ReceiptOptions));
        AddSection(settings, SignIn.SignInOptions.Section, typeof(SignIn.SignInOptions));
        AddSection(settings, Health.HealthOptions.Section, typeof(Health.HealthOptions));
        AddSection(settings, Deadlines.DeadlineOptions.Section, typeof(Deadlines.DeadlineOptions));
        AddSection(settings, Outcomes.OutcomeApiOptions.Section, typeof(Outcomes.OutcomeApiOptions));
        settings.Remove($"{Outcomes.OutcomeApiOptions.Section}__{nameof(Outcomes.OutcomeApiOptions.Services)}");

        // API keys are named by the services directory, not by code.
        var directory = Rules.ServiceDirectory.LoadDefault();
        foreach (var setting in directory.Services.Select(s => s.Referral).Append(directory.VictimCareUnit.Referral).Select(r => r.Auth?.ApiKeySetting).OfType<string>())
        {
            settings.Add(setting);
        }

        // The outcome API's secrets: two for each service the directory reaches by API (docs/outcomes.md).
        foreach (var service in directory.Services.Where(s => s.Referral.Channel == "Http"))
        {
            settings.Add($"Outcomes__Services__{service.Id}__{nameof(Outcomes.ServiceSecrets.Secret)}");
            settings.Add($"Outcomes__Services__{service.Id}__{nameof(Outcomes.ServiceSecrets.NextSecret)}");
        }

        return settings;
    }

    private static void AddSection(SortedSet<string> settings, string section, Type options)
    {
        foreach (var property in options.GetProperties().Where(p => p.CanWrite))
        {
            settings.Add($"{section}__{property.Name}");
        }
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex Percent();
}
