namespace Referrals.Emails;

/// <summary>
/// A composed entitlement email. <see cref="To"/> and the bodies hold personal data: they go to the
/// mail provider or a review file, never into a log. <see cref="SecondLanguage"/> is set when the email
/// is bilingual (<see cref="Language"/> first).
/// </summary>
public sealed record EntitlementEmail(
    string CrimeReference,
    long CrimeVersion,
    string VictimId,
    string To,
    string Subject,
    string TextBody,
    string HtmlBody,
    string Language,
    string? SecondLanguage = null,
    string Situation = "") : Messages.IEntitlementMessage
{
    public Contact.Channel Channel => Contact.Channel.Email;

    /// <summary>The <c>Content-Language</c> header: "en", or "cy, en" for a Welsh-first bilingual email.</summary>
    public string ContentLanguage => SecondLanguage is null ? Language : $"{Language}, {SecondLanguage}";
}
