using Referrals.Rules;

namespace Referrals.Tallies;

/// <summary>One counted category: a key (table row key and JSON name), the OPCC's column name, and its definition.</summary>
public sealed record TallyCategory(string Key, string Name, string Definition);

/// <summary>
/// The categories counted each month, in report order: Derbyshire's six first, under their names, then the
/// others. Definitions are in docs/tallies.md; every count is of distinct victims (or deliveries), once ever.
/// </summary>
public static class TallyCategories
{
    public const string DeclinedSupport = "DeclinedSupport";
    public const string ConvertedToYes = "ConvertedToYes";
    public const string AcceptedAndReferred = "AcceptedAndReferred";
    public const string OptOutAutoReferrals = "OptOutAutoReferrals";
    public const string DaSexualOffences = "DaSexualOffences";
    public const string TotalVictims = "TotalVictims";
    public const string OptedOut = "OptedOut";
    public const string AwaitingConsent = "AwaitingConsent";
    public const string Withdrawn = "Withdrawn";
    public const string SingleSessionOffers = "SingleSessionOffers";
    public const string ReferralsDelivered = "ReferralsDelivered";
    public const string ReferralsOnTime = "ReferralsOnTime";
    public const string ReferralsLate = "ReferralsLate";
    public const string ReferralsFailed = "ReferralsFailed";
    public const string WithdrawalNotices = "WithdrawalNotices";
    public const string VcuTasksDelivered = "VcuTasksDelivered";
    public const string EmailsSent = "EmailsSent";
    public const string RejectedMessages = "RejectedMessages";
    public const string PersonalDataPurged = "PersonalDataPurged";
    public const string ContactNeeded = "ContactNeeded";
    public const string HeldContact = "HeldContact";
    public const string InformedWithinTwoWorkingDays = "InformedWithinTwoWorkingDays";

    public static string InformedBy(Contact.Channel channel) => $"Informed.{channel}";

    public static string MessageFailed(Contact.Channel channel) => $"MessageFailed.{channel}";

    public static string DeliveredTo(string serviceId) => $"Delivered.{serviceId}";

    public static string EmailSuppressed(EmailSuppression reason) => $"EmailSuppressed.{reason}";

    public static IReadOnlyList<TallyCategory> For(ServiceDirectory directory) =>
    [
        new(DeclinedSupport, "Declined Support", "Consent-pathway victims who declined support (rulebook: Declined)."),
        new(ConvertedToYes, "Converted to Yes and referred", "Victims who had declined and later accepted, and were referred (ConvertedToYes)."),
        new(AcceptedAndReferred, "Accepted Support and Referred", "Consent-pathway victims who accepted when first asked and were referred (Referred, not after a decline)."),
        new(OptOutAutoReferrals, "General Opt Out Auto Referrals", "Opt-out pathway victims referred automatically (AutoReferred)."),
        new(DaSexualOffences, "DA/Sexual Offences", "Victims whose offence is domestic abuse or a sexual offence."),
        new(TotalVictims, "Total Victims", "Victims seen for the first time."),
        new(OptedOut, "Opted Out", "Opt-out pathway victims who declined, so were not referred (OptedOut)."),
        new(AwaitingConsent, "Consent Sought", "Consent-pathway victims not yet asked: a consent-seeking task was raised for the Victim Care Unit."),
        new(Withdrawn, "Withdrawn", "Referred victims who later declined; services already reached were sent a withdrawal notice."),
        new(SingleSessionOffers, "Single Session Offers", "Declined consent-pathway victims offered a single support session by the Victim Care Unit."),
        new(ReferralsDelivered, "Referrals Delivered", "Referrals accepted by a service (2xx or 409 from its API, or its secure email sent)."),
        .. directory.Services.Select(s => new TallyCategory(DeliveredTo(s.Id), $"Referrals Delivered: {s.Name}", $"Referrals accepted by {s.Name} ({s.Id}).")),
        new(ReferralsOnTime, "Referrals On Time", "Referrals delivered on or before their due date (2 working days from the recorded date, Europe/London)."),
        new(ReferralsLate, "Referrals Late", "Referrals delivered after their due date."),
        new(ReferralsFailed, "Referrals Failed", "Referrals, withdrawals or tasks that failed for good (a 4xx from the service, or retries exhausted): in `referrals poison`."),
        new(WithdrawalNotices, "Withdrawal Notices Delivered", "Withdrawal notices accepted by a service."),
        new(VcuTasksDelivered, "VCU Tasks Delivered", "Single-session offers, consent-seeking and contact-needed tasks delivered to the Victim Care Unit."),
        new(EmailsSent, "Emails Sent", "Entitlement emails accepted by SendGrid."),
        .. Enum.GetValues<EmailSuppression>().Select(r => new TallyCategory(EmailSuppressed(r), $"Emails Suppressed: {r}", $"Victims not emailed because of {r} (rulebook section 5).")),
        new(InformedBy(Contact.Channel.Email), "Informed by Email", "Victims whose entitlement email SendGrid reported delivered."),
        new(InformedBy(Contact.Channel.Sms), "Informed by Text Message", "Victims whose entitlement text message GOV.UK Notify reported delivered."),
        new(InformedBy(Contact.Channel.Letter), "Informed by Letter", "Victims whose entitlement letter GOV.UK Notify accepted for printing and posting."),
        new(InformedWithinTwoWorkingDays, "Informed Within 2 Working Days", "Victims informed (any channel) on or before 2 working days from the recorded date (Europe/London)."),
        .. Enum.GetValues<Contact.Channel>().Select(c => new TallyCategory(MessageFailed(c), $"Messages Failed: {c}", $"Victims whose entitlement {Contact.ContactPlan.Noun(c)} failed for good (bounced, dropped, refused or a permanent failure); the next safe channel was used.")),
        new(ContactNeeded, "Contact Needed (no safe channel)", "Victims no channel could safely reach, or whose every safe channel failed: the Victim Care Unit was asked to make contact."),
        new(HeldContact, "Held (HoldContact)", "Victims of crimes held by the officer in the case: nothing was sent while the hold lasted."),
        new(RejectedMessages, "Rejected Messages", "Crime-event messages refused as bad input, in the month they were received."),
        new(PersonalDataPurged, "Personal Data Purged", "Victims whose personal data the retention function removed, in the month it did (docs/privacy.md)."),
    ];
}
