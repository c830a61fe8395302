using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Messages;

namespace Referrals.Functions;

/// <summary>
/// For one release after the entitlement-emails queue became entitlement-messages (issue 19): what is left on the old
/// queue is sent by the same handler as <see cref="SendEntitlementMessage"/> (the work items read the same). Remove it,
/// and EMAIL_QUEUE, once the old queue and its poison queue are empty.
/// </summary>
public sealed class DrainEntitlementEmails(EntitlementMessageSender sender)
{
    [Function(nameof(DrainEntitlementEmails))]
    public Task Run(
        [QueueTrigger($"%{Settings.OldEmailQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
}
