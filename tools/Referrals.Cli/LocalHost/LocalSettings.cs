using Referrals.Pipeline.Configuration;

namespace Referrals.Cli.LocalHost;

/// <summary>The settings of a local run: the same names as local.settings.example.json and the Bicep app settings.</summary>
public static class LocalSettings
{
    public static Dictionary<string, string?> For(string storageConnection, string sendGridHost, string tablePrefix = "", string queuePrefix = "") => new()
    {
        ["AzureWebJobsStorage"] = storageConnection,
        [Settings.StorageConnection] = storageConnection,
        [Settings.CrimeEventsQueue] = queuePrefix + "crime-events",
        [Settings.EmailQueue] = queuePrefix + "entitlement-emails",
        [Settings.TablePrefix] = tablePrefix,
        [Settings.DeadLetterReportSchedule] = "0 */5 * * * *",
        ["SendGrid:ApiKey"] = "local-fake-sendgrid-key",
        ["SendGrid:Host"] = sendGridHost,
        ["SendGrid:FromAddress"] = "victim.care@police.example",
        ["SendGrid:FromName"] = "Victim Care Unit",
        ["SendGrid:SandboxMode"] = "false",
    };
}
