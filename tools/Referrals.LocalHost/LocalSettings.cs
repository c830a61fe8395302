using Referrals.Pipeline.Configuration;

namespace Referrals.LocalHost;

/// <summary>The settings of a local run: the same names as local.settings.example.json and the Bicep app settings.</summary>
public static class LocalSettings
{
    /// <param name="servicesPath">A services directory pointing at loopback stand-ins (<see cref="FakeServices.WriteLocalDirectory"/>).</param>
    public static Dictionary<string, string?> For(string storageConnection, string sendGridHost, string servicesPath, string tablePrefix = "", string queuePrefix = "", string notifyBaseUrl = "http://127.0.0.1:9") => new()
    {
        ["AzureWebJobsStorage"] = storageConnection,
        [Settings.StorageConnection] = storageConnection,
        [Settings.CrimeEventsQueue] = queuePrefix + "crime-events",
        [Settings.EmailQueue] = queuePrefix + "entitlement-emails",
        [Settings.ReferralQueue] = queuePrefix + "referrals",
        [Settings.TablePrefix] = tablePrefix,
        [Settings.DeadLetterReportSchedule] = "0 */5 * * * *",
        [Settings.MonthlyTallySchedule] = "0 10 * * * *",
        [Settings.NotifyStatusSchedule] = "0 */15 * * * *",
        ["Rules:ServicesPath"] = servicesPath,
        ["ServiceKeys:general"] = FakeServices.ApiKey,
        ["SendGrid:ApiKey"] = "local-fake-sendgrid-key",
        ["SendGrid:Host"] = sendGridHost,
        ["SendGrid:FromAddress"] = "victim.care@police.example",
        ["SendGrid:FromName"] = "Victim Care Unit",
        ["SendGrid:SandboxMode"] = "false",
        ["Notify:ApiKey"] = FakeNotify.ApiKey,
        ["Notify:BaseUrl"] = notifyBaseUrl,
        ["Notify:SmsTemplateId"] = FakeNotify.SmsTemplateId,
        ["Notify:LetterTemplateId"] = FakeNotify.LetterTemplateId,
        ["LogRedaction:HashKey"] = "local-development-log-hash-key-not-a-secret",
    };
}
