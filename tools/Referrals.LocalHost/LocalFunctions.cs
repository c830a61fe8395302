using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Tallies;

namespace Referrals.LocalHost;

/// <summary>
/// The Functions app's triggers, hosted by the WebJobs SDK (the engine inside the Functions host) for
/// local runs and tests. Same names, queues, connection and schedule as functions/Referrals.Functions,
/// calling the same classes; a test fails if the two sets drift apart. The HTTP function (GetTallies) is served
/// on loopback by <see cref="LocalTalliesServer"/>, with the same endpoint class.
/// Queue work is not cancelled when the host stops: each message takes milliseconds to seconds, and a
/// message abandoned mid-way stays invisible for the listener's 10-minute lease.
/// </summary>
public sealed class LocalFunctions(SnapshotIngestor ingestor, EntitlementMessageSender sender, ReferralForwarder forwarder, TallyAggregator aggregator, DeadLetterReporter reporter, RetentionPurge purge, NotifyStatusSweep notifyStatuses)
{
    [FunctionName("IngestCrimeEvent")]
    public Task IngestCrimeEvent(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        ingestor.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

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
        aggregator.AggregateRecentAsync(cancellationToken);

    [FunctionName("CheckNotifyStatuses")]
    public Task CheckNotifyStatuses([TimerTrigger($"%{Settings.NotifyStatusSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        notifyStatuses.SweepAsync(cancellationToken);

    [FunctionName("ReportDeadLetters")]
    public Task ReportDeadLetters([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reporter.ReportAsync(cancellationToken);

    [FunctionName("PurgePersonalData")]
    public Task PurgePersonalData([TimerTrigger($"%{Settings.RetentionSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        purge.RunAsync(dryRun: false, cancellationToken);
}
