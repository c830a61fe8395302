using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Contact;

/// <summary>
/// Rulebook 1.2 section 6: for each channel (email, text message, letter), checked in this order, the first that
/// applies wins: no safe recipient, no valid contact for the channel (for a text or a letter: one GOV.UK Notify would
/// refuse, <see cref="UkMobile"/> and <see cref="PostalAddress"/>, so the plan falls through to the next channel up
/// front; the reason names the rule, never the value), the channel's flag false (UnsafeToContact), the
/// flag not true on the consent pathway or for stalking and harassment (NotConfirmedSafe), else safe. A bereaved
/// relative after a homicide gets nothing automated on any channel (FamilyLiaison). Pure: it sends nothing.
/// </summary>
public static class ChannelSafety
{
    public static ContactPlan Plan(OffenceClassification offence, Pathway pathway, Victim victim, bool isChild)
    {
        if (victim.BereavedRelative && ReferralRules.HomicideCodes.Contains(offence.Code))
        {
            const string Because = "bereaved relative after a homicide: the family liaison officer gives the information in person";
            return new ContactPlan([.. ChannelNames.InOrder.Select(c => Line(c, MessageReason.FamilyLiaison, Because))], null, null);
        }

        if (isChild && NoSafeParent(victim.ParentOrGuardian) is { } noParent)
        {
            return new ContactPlan([.. ChannelNames.InOrder.Select(c => Line(c, MessageReason.NoSafeRecipient, noParent))], null, null);
        }

        var parent = isChild ? victim.ParentOrGuardian : null;
        var recipient = parent is null ? EmailRecipient.Victim : EmailRecipient.ParentOrGuardian;
        var who = parent is null ? "victim" : "parent or guardian";
        var confirmationNeeded = pathway == Pathway.Consent ? "consent pathway"
            : offence.Is(Category.Stalking) || offence.Is(Category.Harassment) ? "stalking or harassment"
            : null;

        ChannelLine Check(Channel channel, string? given, bool valid, string? to, PostalAddress? post, bool? safe, string? invalidBecause)
        {
            var contact = channel switch
            {
                Channel.Email => "email",
                Channel.Sms => "mobile number",
                _ => "postal address",
            };
            var reasonIfMissing = NoContact(channel);
            if (!valid)
            {
                return Line(channel, reasonIfMissing, given is null
                    ? $"{who} has no {(channel == Channel.Email ? "email address" : contact)}"
                    : invalidBecause!);
            }

            if (safe == false)
            {
                return Line(channel, MessageReason.UnsafeToContact, $"{who}'s {contact} is recorded as not safe to use");
            }

            if (confirmationNeeded is not null && safe != true)
            {
                return Line(channel, MessageReason.NotConfirmedSafe, $"{confirmationNeeded} and {who}'s {contact} is not confirmed safe");
            }

            return new ChannelLine(channel, null, $"{Prefix(channel)} to the {who}", to, post);
        }

        var (email, emailSafe) = parent is null ? (victim.Email, victim.EmailSafe) : (parent.Email, parent.EmailSafe);
        var (phone, phoneSafe) = parent is null ? (victim.Phone, victim.PhoneSafe) : (parent.Phone, parent.PhoneSafe);
        var (address, addressSafe) = parent is null ? (victim.Address, victim.AddressSafe) : (parent.Address, parent.AddressSafe);
        var emailValid = EmailAddress.TryNormalise(email, out var validEmail);
        var phoneRule = UkMobile.Check(phone, out var mobile);
        return new ContactPlan(
            [
                Check(Channel.Email, email, emailValid, validEmail, null, emailSafe, $"{who}'s email address is not valid: treated as absent"),
                Check(Channel.Sms, phone, phoneRule is null, mobile, null, phoneSafe,
                    $"{who}'s phone number cannot get a text message through GOV.UK Notify: {(phoneRule is { } rule ? UkMobile.Describe(rule) : string.Empty)}"),
                Check(Channel.Letter, address is null ? null : string.Empty, address is { IsValid: true }, null, address is { IsValid: true } ? address : null, addressSafe,
                    $"{who}'s postal address is not valid ({address?.Problem}): treated as absent"),
            ],
            recipient,
            parent is null ? Name(victim) : parent.Name);
    }

    /// <summary>The email line as rulebook v1 has it (section 8's <c>email</c>).</summary>
    public static EmailDecision EmailOf(ContactPlan plan) =>
        plan[Channel.Email] is { Safe: true, To: { } to }
            ? EmailDecision.SendTo(plan.Recipient!.Value, to)
            : EmailDecision.Suppress(plan[Channel.Email].Reason!.Value);

    /// <summary>The reason of a channel without a valid contact: no email address, mobile number or postal address.</summary>
    public static MessageReason NoContact(Channel channel) => channel switch
    {
        Channel.Email => MessageReason.NoEmailAddress,
        Channel.Sms => MessageReason.NoMobileNumber,
        _ => MessageReason.NoPostalAddress,
    };

    /// <summary>Why a child's parent or guardian may not be written to, or null when they may.</summary>
    private static string? NoSafeParent(ParentOrGuardian? parent) => parent switch
    {
        null => "child victim with no parent or guardian recorded",
        { IsSuspect: true } => "child victim's parent or guardian is a suspect",
        { IsSuspect: null } => "child victim's parent or guardian is not recorded as not a suspect",
        _ => null,
    };

    private static string? Name(Victim victim) =>
        string.Join(' ', new[] { victim.Title, victim.GivenName, victim.FamilyName }.Where(p => !string.IsNullOrWhiteSpace(p))) is { Length: > 0 } name ? name : null;

    private static ChannelLine Line(Channel channel, MessageReason reason, string because) =>
        new(channel, reason, $"no {Prefix(channel)} ({reason}): {because}");

    private static string Prefix(Channel channel) => channel switch
    {
        Channel.Email => "entitlement email",
        Channel.Sms => "text message",
        _ => "letter",
    };
}
