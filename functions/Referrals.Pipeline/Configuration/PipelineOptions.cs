using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Referrals.Pipeline.Configuration;

/// <summary>Queue and table names. Flat setting names, because trigger attributes bind to them as %NAME%.</summary>
public sealed class PipelineOptions
{
    /// <summary>What Azure Storage accepts as a queue name: 3 to 63 lower-case letters, digits and single hyphens.</summary>
    private const string QueueName = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";

    [ConfigurationKeyName(Settings.CrimeEventsQueue)]
    [Required]
    [RegularExpression(QueueName, ErrorMessage = "CRIME_EVENTS_QUEUE must be a valid queue name.")]
    public string CrimeEventsQueue { get; set; } = "crime-events";

    /// <summary>Entitlement message work items (email, text message, letter): <c>Messages.MessageWorkItem</c>.</summary>
    [ConfigurationKeyName(Settings.MessageQueue)]
    [Required]
    [RegularExpression(QueueName, ErrorMessage = "MESSAGE_QUEUE must be a valid queue name.")]
    public string MessageQueue { get; set; } = "entitlement-messages";

    /// <summary>
    /// The queue the same work items went by before (issue 19 named it for what it carries): its trigger sends what is
    /// left on it, and a replay of its dead letters goes to <see cref="MessageQueue"/>. Remove after one release.
    /// </summary>
    [ConfigurationKeyName(Settings.OldEmailQueue)]
    [Required]
    [RegularExpression(QueueName, ErrorMessage = "EMAIL_QUEUE must be a valid queue name.")]
    public string OldEmailQueue { get; set; } = "entitlement-emails";

    [ConfigurationKeyName(Settings.ReferralQueue)]
    [Required]
    [RegularExpression(QueueName, ErrorMessage = "REFERRAL_QUEUE must be a valid queue name.")]
    public string ReferralQueue { get; set; } = "referrals";

    /// <summary>Prepended to every table name; lets tests and environments share an account.</summary>
    [ConfigurationKeyName(Settings.TablePrefix)]
    [RegularExpression("^([A-Za-z][A-Za-z0-9]{0,30})?$", ErrorMessage = "TABLE_PREFIX must be letters and digits, starting with a letter.")]
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>The pipeline's queues; each has a poison queue beside it (<see cref="PoisonQueueOf"/>).</summary>
    public IReadOnlyList<string> Queues => [CrimeEventsQueue, MessageQueue, ReferralQueue, OldEmailQueue];

    public string VictimStateTable => TablePrefix + "VictimStates";

    public string DeadLetterTable => TablePrefix + "DeadLetters";

    public string TallyEventsTable => TablePrefix + "TallyEvents";

    public string MonthlyTalliesTable => TablePrefix + "MonthlyTallies";

    /// <summary>What the periodic jobs read by month instead of scanning the state table (docs/architecture.md, "Indexes").</summary>
    public string MonthIndexTable => TablePrefix + "MonthIndex";

    /// <summary>The index of the Victim Care Unit's tasks: open tasks by due day, every task by month raised (docs/worklist.md).</summary>
    public string TaskTable => TablePrefix + "VictimCareTasks";

    /// <summary>Referrals by the public id a service reports outcomes with: where each one's victim row is (rulebook 1.2 section 11, docs/outcomes.md).</summary>
    public string ReferralIdTable => TablePrefix + "ReferralIds";

    /// <summary>The timers' heartbeats and the records system's last snapshot, for the health endpoint (docs/operations.md).</summary>
    public string HeartbeatTable => TablePrefix + "Heartbeats";

    /// <summary>Issue 22: delivered emails by the keyed hash of their recipient address, to match a bounce that names no message (docs/receipts.md).</summary>
    public string RecipientIndexTable => TablePrefix + "EmailRecipients";

    /// <summary>Where the queue host moves a message it gave up on.</summary>
    public static string PoisonQueueOf(string queue) => queue + "-poison";
}

/// <summary>Where the rules data lives; defaults are the files shipped beside the app.</summary>
public sealed class RulesOptions
{
    public const string Section = "Rules";

    public string? OffenceCodesPath { get; set; }

    public string? ServicesPath { get; set; }

    public string? TemplatesPath { get; set; }

    /// <summary>The text message and letter templates (GOV.UK Notify content), one folder per language.</summary>
    public string? MessageTemplatesPath { get; set; }

    /// <summary>Extra non-working days (e.g. a newly proclaimed bank holiday): yyyy-MM-dd dates separated by commas.</summary>
    public string? ExtraBankHolidays { get; set; }

    public IReadOnlyList<DateOnly> ParseExtraBankHolidays() =>
        [.. (ExtraBankHolidays ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => DateOnly.TryParseExact(d, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
                ? date
                : throw new InvalidOperationException($"Rules:ExtraBankHolidays: '{d}' is not a yyyy-MM-dd date."))];
}

/// <summary>SendGrid: the key comes from Key Vault (a Key Vault reference in app settings), never from the repo.</summary>
public sealed class SendGridOptions() : SendBudgetOptions(maxAttempts: 4, maxRetryDelay: TimeSpan.FromSeconds(20))
{
    public const string Section = "SendGrid";

    [Required(ErrorMessage = "SendGrid:ApiKey is required (a Key Vault reference in Azure).")]
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Only for a local SendGrid-compatible endpoint; empty means SendGrid itself.</summary>
    [Url]
    public string? Host { get; set; }

    /// <summary>SendGrid validates but does not deliver: for test environments.</summary>
    public bool SandboxMode { get; set; }

    [Required]
    [EmailAddress]
    public string FromAddress { get; set; } = string.Empty;

    [Required]
    public string FromName { get; set; } = "Victim Care Unit";

    /// <summary>
    /// The force has turned on SendGrid's <c>processed</c> and <c>deferred</c> events in the Event Webhook's settings (Mail
    /// Settings, Event Webhook, "Processed" and "Deferred"). Only then does 24 hours of silence about an email whose outcome
    /// is unknown mean SendGrid never took it, so it is sent once more (rulebook 1.2 section 6); off: it raises a
    /// ContactNeeded task instead.
    /// </summary>
    public bool ProcessedAndDeferredEvents { get; set; }

    /// <summary>
    /// The force has SendGrid's Email Activity history add-on and <c>SendGrid:ApiKey</c> has the Email Activity scope: an
    /// email whose outcome is unknown is then settled by SendGrid's Email Activity API, two hours after the send, at most
    /// 6 look-ups a status-timer run (rulebook 1.2 section 6), rather than by 24 hours of silence.
    /// </summary>
    public bool EmailActivityApi { get; set; }
}

/// <summary>How referrals reach the services' APIs: retries and timeouts. API keys are named by the services directory.</summary>
public sealed class ForwardingOptions
{
    public const string Section = "Forwarding";

    /// <summary>Attempts within one delivery of a work item before it goes back to the queue (whose visibility timeout is the longer backoff).</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest wait between attempts; a server asking for longer gets the work item back on the queue, unsent.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One HTTP call's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The client id of the user-assigned managed identity that gets Entra ID tokens for services' APIs; empty: DefaultAzureCredential.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>A delivery claimed longer ago than this belongs to a forwarder that stopped.</summary>
    public TimeSpan ClaimLease => (MaxAttempts * (Timeout + MaxRetryDelay)) + TimeSpan.FromSeconds(40);
}
