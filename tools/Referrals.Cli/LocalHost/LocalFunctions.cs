using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Emails;
using Referrals.Pipeline.Ingest;

namespace Referrals.Cli.LocalHost;

/// <summary>
/// The Functions app's triggers, hosted by the WebJobs SDK (the engine inside the Functions host) for
/// local runs and tests. Same names, queues, connection and schedule as functions/Referrals.Functions,
/// calling the same classes; a test fails if the two sets drift apart.
/// Queue work is not cancelled when the host stops: each message takes milliseconds to seconds, and a
/// message abandoned mid-way stays invisible for the listener's 10-minute lease.
/// </summary>
public sealed class LocalFunctions(SnapshotIngestor ingestor, EntitlementEmailSender sender, DeadLetterReporter reporter)
{
    [FunctionName("IngestCrimeEvent")]
    public Task IngestCrimeEvent(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        ingestor.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

    [FunctionName("SendEntitlementEmail")]
    public Task SendEntitlementEmail(
        [QueueTrigger($"%{Settings.EmailQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);

    [FunctionName("ReportDeadLetters")]
    public Task ReportDeadLetters([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reporter.ReportAsync(cancellationToken);
}
