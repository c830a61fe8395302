using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.SendGrid;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>A service's channel: its API (with an Idempotency-Key) or its secure mailbox (without one).</summary>
public sealed class ReferralChannels(ServiceGateway services, SendGridGateway mail, IOptions<ForwardingOptions> forwarding, IOptions<SendGridOptions> sendGrid)
{
    /// <summary>How long a claim holds before another delivery of the work item may look at it again.</summary>
    public TimeSpan Lease(ReferralChannel channel) => channel.IsHttp ? forwarding.Value.ClaimLease : sendGrid.Value.ClaimLease;

    public async Task<SendOutcome> SendAsync(ReferralChannel channel, IDeliveryDocument document)
    {
        if (channel.IsHttp)
        {
            return await services.PostAsync(channel, document, CancellationToken.None);
        }

        var email = new OutgoingEmail(channel.Address!, document.Subject, document.ToText(), null, "service-referral", document.CrimeReference, document.VictimId ?? string.Empty);
        // A delivery by secure email records SendGrid's acceptance as 202, and any refusal as 400.
        return await mail.SendAsync(email, CancellationToken.None) switch
        {
            SendOutcome.Accepted => new SendOutcome.Accepted(null, 202),
            SendOutcome.Permanent permanent => permanent with { Status = 400 },
            var other => other,
        };
    }
}
