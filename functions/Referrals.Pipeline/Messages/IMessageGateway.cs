using Referrals.Contact;
using Referrals.Messages;
using Referrals.State;

namespace Referrals.Pipeline.Messages;

/// <summary>
/// A provider of entitlement messages for the sender (<see cref="EntitlementMessageSender"/>): SendGrid sends emails,
/// GOV.UK Notify text messages and letters. Neither has an idempotency key, so a send whose outcome is unknown is never
/// sent again automatically.
/// </summary>
public interface IMessageGateway
{
    /// <summary>The channels it sends.</summary>
    IReadOnlyList<Channel> Channels { get; }

    /// <summary>How long a claim holds before the sender holding it is taken to have stopped (its send budget and a margin).</summary>
    TimeSpan ClaimLease { get; }

    /// <summary>Sends one message: <paramref name="attempt"/> is its send's number, which GOV.UK Notify's reference names.</summary>
    Task<SendOutcome> SendAsync(IEntitlementMessage message, int attempt, CancellationToken cancellationToken);
}
