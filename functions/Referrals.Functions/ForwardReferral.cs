using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Forwarding;

namespace Referrals.Functions;

/// <summary>One referral, withdrawal notice or Victim Care Unit task, delivered to its service at most once.</summary>
/// <remarks>Not cancelled when the host stops or drains, like <see cref="SendEntitlementMessage"/>.</remarks>
public sealed class ForwardReferral(ReferralForwarder forwarder)
{
    [Function(nameof(ForwardReferral))]
    public Task Run(
        [QueueTrigger($"%{Settings.ReferralQueue}%", Connection = Settings.StorageConnection)] QueueMessage message) =>
        forwarder.HandleAsync(message.MessageText, message.DequeueCount, CancellationToken.None);
}
