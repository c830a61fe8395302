using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// The Functions app's triggers, hosted by the WebJobs SDK (the engine inside the Functions host) for
/// local runs and tests. Same names, queues, connection and schedule as functions/Referrals.Functions,
/// calling the same classes, heartbeats included; a test fails if the two sets drift apart. The HTTP functions are
/// served on loopback, with the same endpoint classes and no sign-in: the tallies, the dashboard and the health
/// endpoint by <see cref="LocalTalliesServer"/>, the webhooks by <see cref="LocalReceiptsServer"/>.
/// Queue work is not cancelled when the host stops: each message takes milliseconds to seconds, and a
/// message abandoned mid-way stays invisible for the listener's 10-minute lease.
/// </summary>
public sealed class LocalFunctions(
    SnapshotIngestor ingestor, RecordsSystemPulse recordsSystem, EntitlementMessageSender sender, ReferralForwarder forwarder, TimerHeartbeats heartbeats,
    TallyAggregator aggregator, DeadLetterReporter reporter, RetentionPurge purge, NotifyStatusSweep notifyStatuses, Pipeline.Tasks.TaskEscalation escalation,
    Pipeline.Deadlines.DeadlineWatch deadlines)
{
    [FunctionName("IngestCrimeEvent")]
    public async Task IngestCrimeEvent(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message)
    {
        await recordsSystem.HeardAsync(CancellationToken.None);
        await ingestor.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
    }

    [FunctionName("SendEntitlementMessage")]
    public Task SendEntitlementMessage(
        [QueueTrigger($"%{Settings.MessageQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

    [FunctionName("DrainEntitlementEmails")]
    public Task DrainEntitlementEmails(
        [QueueTrigger($"%{Settings.OldEmailQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

    [FunctionName("ForwardReferral")]
    public Task ForwardReferral(
        [QueueTrigger($"%{Settings.ReferralQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        forwarder.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

    [FunctionName("AggregateMonthlyTallies")]
    public Task AggregateMonthlyTallies([TimerTrigger($"%{Settings.MonthlyTallySchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(AggregateMonthlyTallies), aggregator.AggregateRecentAsync, TimerSummaries.Of, cancellationToken);

    [FunctionName("CheckNotifyStatuses")]
    public Task CheckNotifyStatuses([TimerTrigger($"%{Settings.NotifyStatusSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(CheckNotifyStatuses), notifyStatuses.SweepAsync, TimerSummaries.Of, cancellationToken);

    [FunctionName("EscalateOverdueTasks")]
    public Task EscalateOverdueTasks([TimerTrigger($"%{Settings.TaskEscalationSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(EscalateOverdueTasks), escalation.SweepAsync, TimerSummaries.Of, cancellationToken);

    [FunctionName("WatchReferralDeadlines")]
    public Task WatchReferralDeadlines([TimerTrigger($"%{Settings.DeadlineWatchSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(WatchReferralDeadlines), deadlines.WatchAsync, TimerSummaries.Of, cancellationToken);

    [FunctionName("ReportDeadLetters")]
    public Task ReportDeadLetters([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(ReportDeadLetters), reporter.ReportAsync, TimerSummaries.Of, cancellationToken);

    [FunctionName("PurgePersonalData")]
    public Task PurgePersonalData([TimerTrigger($"%{Settings.RetentionSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        heartbeats.RunAsync(nameof(PurgePersonalData), token => purge.RunAsync(dryRun: false, token), TimerSummaries.Of, cancellationToken);
}
