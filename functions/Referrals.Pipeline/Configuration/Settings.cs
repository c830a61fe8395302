namespace Referrals.Pipeline.Configuration;

/// <summary>
/// The names of the settings triggers bind to. Both hosts (Functions and the local WebJobs host) read
/// the same names, so a queue or schedule is configured once.
/// </summary>
public static class Settings
{
    /// <summary>The storage connection for the pipeline's queues and tables: a connection string, or
    /// <c>ReferralsStorage__queueServiceUri</c>/<c>__tableServiceUri</c> with <c>__credential</c> and <c>__clientId</c>.</summary>
    public const string StorageConnection = "ReferralsStorage";

    public const string CrimeEventsQueue = "CRIME_EVENTS_QUEUE";
    /// <summary>The entitlement messages' queue (email, text message, letter).</summary>
    public const string MessageQueue = "MESSAGE_QUEUE";

    /// <summary>The queue the entitlement messages went by before it was named for them (issue 19): still read, for one release, so nothing on it is lost.</summary>
    public const string OldEmailQueue = "EMAIL_QUEUE";
    public const string ReferralQueue = "REFERRAL_QUEUE";
    public const string TablePrefix = "TABLE_PREFIX";

    /// <summary>NCRONTAB schedule (UTC) of the dead-letter report, e.g. "0 */5 * * * *".</summary>
    public const string DeadLetterReportSchedule = "DEAD_LETTER_REPORT_SCHEDULE";

    /// <summary>NCRONTAB schedule (UTC on Flex Consumption) of the tally aggregation, e.g. "0 10 * * * *"; months are computed in Europe/London in code.</summary>
    public const string MonthlyTallySchedule = "MONTHLY_TALLY_SCHEDULE";

    /// <summary>NCRONTAB schedule (UTC) of the retention function, e.g. "0 30 2 * * *" (daily); periods are in <see cref="RetentionOptions"/>.</summary>
    public const string RetentionSchedule = "RETENTION_SCHEDULE";

    /// <summary>NCRONTAB schedule (UTC) of the Notify status timer, e.g. "0 */15 * * * *": asks Notify about messages whose callback has not come.</summary>
    public const string NotifyStatusSchedule = "NOTIFY_STATUS_SCHEDULE";

    /// <summary>NCRONTAB schedule (UTC) of the overdue sweep of the Victim Care Unit's tasks, e.g. "0 */15 * * * *" (due times are Europe/London in code).</summary>
    public const string TaskEscalationSchedule = "TASK_ESCALATION_SCHEDULE";

    /// <summary>NCRONTAB schedule (UTC) of the deadline watch (issue 29), e.g. "0 */15 * * * *": referrals at risk get their notice once.</summary>
    public const string DeadlineWatchSchedule = "DEADLINE_WATCH_SCHEDULE";
}

/// <summary>
/// Queue trigger settings, chosen once for both hosts (host.json says the same; a test checks it).
/// </summary>
public static class QueueHostSettings
{
    /// <summary>Up to 16 messages fetched at once: ingest is storage-bound, and 16 keeps a small instance busy without throttling SendGrid.</summary>
    public const int BatchSize = 16;

    /// <summary>Fetch the next batch when half the current one is done.</summary>
    public const int NewBatchThreshold = 8;

    /// <summary>Five tries, each with in-process retries, before a message is dead-lettered with its reason.</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How long a failed message stays invisible before its next try: the queue-level backoff.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>An idle queue is polled at least this often, so a new snapshot waits at most this long.</summary>
    public static readonly TimeSpan MaxPollingInterval = TimeSpan.FromSeconds(2);
}
