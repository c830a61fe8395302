namespace Referrals.Emails;

/// <summary>
/// A composed entitlement email. <see cref="To"/> and the bodies hold personal data: they go to the
/// mail provider or a review file, never into a log.
/// </summary>
public sealed record EntitlementEmail(
    string CrimeReference,
    long CrimeVersion,
    string VictimId,
    string To,
    string Subject,
    string TextBody,
    string HtmlBody,
    string Language);
