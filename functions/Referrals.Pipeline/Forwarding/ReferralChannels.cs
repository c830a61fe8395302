using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Emails;
using Referrals.Rules;

namespace Referrals.Pipeline.Forwarding;

/// <summary>A service's channel: its API (with an Idempotency-Key) or its secure mailbox (without one).</summary>
public sealed class ReferralChannels(ServiceGateway services, SendGridGateway mail, IOptions<ForwardingOptions> forwarding, IOptions<SendGridOptions> sendGrid)
{
    /// <summary>How long a claim holds before another delivery of the work item may look at it again.</summary>
    public TimeSpan Lease(ReferralChannel channel) => channel.IsHttp ? forwarding.Value.ClaimLease : sendGrid.Value.ClaimLease;

    public async Task<DeliveryOutcome> SendAsync(ReferralChannel channel, IDeliveryDocument document)
    {
        if (channel.IsHttp)
        {
            return await services.PostAsync(channel, document, CancellationToken.None);
        }

        var email = new OutgoingEmail(channel.Address!, document.Subject, document.ToText(), null, "service-referral", document.CrimeReference, document.VictimId ?? string.Empty);
        return await mail.SendAsync(email, CancellationToken.None) switch
        {
            SendOutcome.Accepted => new DeliveryOutcome.Delivered(202),
            SendOutcome.Permanent permanent => new DeliveryOutcome.Permanent(permanent.Reason, 400),
            SendOutcome.Transient transient => new DeliveryOutcome.Transient(transient.Reason),
            SendOutcome.Unknown unknown => new DeliveryOutcome.Unconfirmed(unknown.Reason),
            _ => throw new InvalidOperationException("unknown send outcome"),
        };
    }
}
