using Referrals.Contact;

namespace Referrals.Messages;

/// <summary>
/// A composed entitlement message on any channel (an <see cref="Emails.EntitlementEmail"/>, a <see cref="NotifyMessage"/>),
/// as the sender hands it to the channel's gateway. Personal data: never logged.
/// </summary>
public interface IEntitlementMessage
{
    Channel Channel { get; }

    string CrimeReference { get; }

    string VictimId { get; }
}
