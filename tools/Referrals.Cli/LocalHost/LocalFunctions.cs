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
/// </summary>
public sealed class LocalFunctions(SnapshotIngestor ingestor, EntitlementEmailSender sender, DeadLetterReporter reporter)
{
    [FunctionName("IngestCrimeEvent")]
    public Task IngestCrimeEvent(
        [QueueTrigger($"%{Settings.CrimeEventsQueue}%", Connection = Settings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        ingestor.HandleAsync(message.MessageText, message.DequeueCount, cancellationToken);

    [FunctionName("SendEntitlementEmail")]
    public Task SendEntitlementEmail(
        [QueueTrigger($"%{Settings.EmailQueue}%", Connection = Settings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, cancellationToken);

    [FunctionName("ReportDeadLetters")]
    public Task ReportDeadLetters([TimerTrigger($"%{Settings.DeadLetterReportSchedule}%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reporter.ReportAsync(cancellationToken);
}
