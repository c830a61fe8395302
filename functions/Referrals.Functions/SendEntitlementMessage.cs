using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Messages;

namespace Referrals.Functions;

/// <summary>One victim's Victims' Code entitlement message (email, text message or letter), sent at most once.</summary>
/// <remarks>Not cancelled when the host stops or drains: the work is short, and an abandoned message stays invisible for the listener's 10-minute lease.</remarks>
public sealed class SendEntitlementMessage(EntitlementMessageSender sender)
{
    [Function(nameof(SendEntitlementMessage))]
    public Task Run(
        [QueueTrigger($"%{Settings.MessageQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
}
