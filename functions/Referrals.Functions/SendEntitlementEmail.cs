using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;

namespace Referrals.Functions;

/// <summary>One victim's Victims' Code entitlement email, sent through SendGrid at most once.</summary>
public sealed class SendEntitlementEmail(EntitlementEmailSender sender)
{
    [Function(nameof(SendEntitlementEmail))]
    public Task Run(
        [QueueTrigger($"%{Settings.EmailQueue}%", Connection = Settings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        sender.HandleAsync(message.MessageText, message.DequeueCount, cancellationToken);
}
