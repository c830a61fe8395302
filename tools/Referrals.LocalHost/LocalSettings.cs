using Referrals.Pipeline.Configuration;

namespace Referrals.LocalHost;

/// <summary>The settings of a local run: the same names as local.settings.example.json and the Bicep app settings.</summary>
public static class LocalSettings
{
    /// <summary>The local run's and the tests' log-hash key: not a secret, never used in Azure.</summary>
    public const string DevelopmentHashKey = "local-development-log-hash-key-not-a-secret";

    /// <summary>The message tokens a local run's pipeline seals (its key derived from <see cref="DevelopmentHashKey"/>), for its outbox and tests.</summary>
    public static readonly Referrals.Contact.MessageToken Tokens =
        Referrals.Pipeline.Contact.MessageTokens.From(Microsoft.Extensions.Options.Options.Create(new Referrals.Pipeline.Logging.LogRedactionOptions { HashKey = DevelopmentHashKey }));

    /// <param name="servicesPath">A services directory pointing at loopback stand-ins (<see cref="LocalServices.WriteLocalDirectory"/>).</param>
    /// <param name="sendGridWebhookKey">The local SendGrid's Event Webhook key (<see cref="LocalSendGrid.StartAsync's WebhookPublicKey"/>); none: the webhook refuses everything.</param>
    /// <param name="notifyBaseUrl">The local GOV.UK Notify stand-in; by default a port nothing listens on.</param>
    /// <param name="notifyCallbackToken">The bearer token the local Notify stand-in calls back with; none: the callback endpoint refuses everything.</param>
    public static Dictionary<string, string?> For(
        string storageConnection, string sendGridHost, string servicesPath, string tablePrefix = "", string queuePrefix = "", string? sendGridWebhookKey = null, string? notifyCallbackToken = null, string notifyBaseUrl = "http://127.0.0.1:9") => new()
        {
            ["AzureWebJobsStorage"] = storageConnection,
            [Settings.StorageConnection] = storageConnection,
            [Settings.CrimeEventsQueue] = queuePrefix + "crime-events",
            [Settings.MessageQueue] = queuePrefix + "entitlement-messages",
            [Settings.OldEmailQueue] = queuePrefix + "entitlement-emails",
            [Settings.ReferralQueue] = queuePrefix + "referrals",
            [Settings.TablePrefix] = tablePrefix,
            [Settings.DeadLetterReportSchedule] = "0 */5 * * * *",
            [Settings.MonthlyTallySchedule] = "0 10 * * * *",
            [Settings.RetentionSchedule] = "0 30 2 * * *",
            [Settings.NotifyStatusSchedule] = "0 */15 * * * *",
            [Settings.TaskEscalationSchedule] = "0 */15 * * * *",
            [Settings.DeadlineWatchSchedule] = "0 */15 * * * *",
            ["Rules:ServicesPath"] = servicesPath,
            ["ServiceKeys:general"] = LocalServices.ApiKey,
            ["SendGrid:ApiKey"] = "local-fake-sendgrid-key",
            ["SendGrid:Host"] = sendGridHost,
            ["SendGrid:FromAddress"] = "victim.care@police.example",
            ["SendGrid:FromName"] = "Victim Care Unit",
            ["SendGrid:SandboxMode"] = "false",
            ["Notify:ApiKey"] = LocalNotify.ApiKey,
            ["Notify:BaseUrl"] = notifyBaseUrl,
            ["Notify:SmsTemplateId"] = LocalNotify.SmsTemplateId,
            ["Notify:LetterTemplateId"] = LocalNotify.LetterTemplateId,
            ["Notify:WelshSmsTemplateId"] = LocalNotify.WelshSmsTemplateId,
            ["Notify:BilingualLetterTemplateId"] = LocalNotify.BilingualLetterTemplateId,
            ["Force:Name"] = "Example Constabulary",
            ["Force:WelshName"] = "Heddlu Enghraifft",
            ["Force:ShortName"] = "ExamplePol",
            ["Force:Phone"] = "101",
            ["Force:PhoneWording"] = "101, the police non-emergency number",
            ["Force:PhoneWordingWelsh"] = "101, rhif yr heddlu pan nad yw'n argyfwng",
            ["Force:VictimCareUnitPhone"] = "01632 960 101",
            ["Force:VictimCareUnitEmail"] = "victim.care@police.example",
            ["Force:Website"] = "https://www.police.example/",
            ["Force:PrivacyNotice"] = "https://www.police.example/privacy",
            ["Force:Bilingual"] = "false",
            ["LogRedaction:HashKey"] = DevelopmentHashKey,
            ["Receipts:SendGridWebhookPublicKey"] = sendGridWebhookKey ?? string.Empty,
            ["Receipts:NotifyCallbackBearerToken"] = notifyCallbackToken ?? string.Empty,

            // A local run's returned-letter callback has the delivery receipts' token; in Azure each has its own secret.
            ["Receipts:NotifyReturnedLetterBearerToken"] = notifyCallbackToken ?? string.Empty,
        };
}
