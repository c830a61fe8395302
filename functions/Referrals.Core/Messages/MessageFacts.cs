using Referrals.Contract;
using Referrals.Rendering;
using Referrals.Rules;

namespace Referrals.Messages;

/// <summary>Who a message is written to, which decides its opening words.</summary>
public enum Addressee
{
    Victim,
    ParentOrGuardian,
    BereavedRelative,
}

/// <summary>A contact a message may show: a name and a number (for a <c>tel:</c> link), never a value that is not one.</summary>
public sealed record HelpContact(string Name, string Phone)
{
    public string Tel => ForceIdentity.Tel(Phone);
}

/// <summary>
/// What every channel's message says for one victim, worked out once from the snapshot and the decision: the
/// situation (who is written to, the referral outcome, enhanced or standard rights, whether to add the line on
/// staying safe online) and every value, already made one line by <see cref="SafeText"/>. Personal data: never logged.
/// </summary>
public sealed record MessageFacts(
    Addressee Addressee,
    bool ForChild,
    bool Bereaved,
    ReferralOutcome Referral,
    bool Enhanced,
    bool StaySafeOnline,
    string CrimeReference,
    string GreetingName,
    string ChildName,
    IReadOnlyList<string> ReferredServiceNames,
    IReadOnlyList<ServiceEntry> Services,
    OfficerInCase? Officer,
    HelpContact? MostUsefulContact)
{
    public const string NationalSupportUrl = "https://www.gov.uk/get-support-as-a-victim-of-crime";

    /// <summary>The same page without "https://www.", for a text message (phones still make it a link).</summary>
    public const string NationalSupportShortUrl = "gov.uk/get-support-as-a-victim-of-crime";

    /// <param name="forChild">The message goes to the child victim's parent or guardian.</param>
    public static MessageFacts Of(CrimeEvent snapshot, Victim victim, VictimDecision decision, ServiceDirectory directory, bool forChild)
    {
        var bereaved = victim.BereavedRelative;
        var referred = Ordered(decision.Services.Select(id => directory[id]), bereaved);
        var services = Ordered(decision.EligibleServices.Select(id => directory[id]), bereaved);
        return new MessageFacts(
            forChild ? Addressee.ParentOrGuardian : bereaved ? Addressee.BereavedRelative : Addressee.Victim,
            forChild,
            bereaved,
            decision.Referral,
            decision.EnhancedRights,
            decision.Pathway == Pathway.Consent || decision.Categories.Contains(Category.Stalking) || decision.Categories.Contains(Category.Harassment),
            SafeText.OneLine(snapshot.Crime.Reference),
            forChild ? Text(victim.ParentOrGuardian?.Name) ?? string.Empty : GreetingOf(victim),
            Text(victim.GivenName) ?? FullName(victim),
            [.. referred.Select(s => SafeText.OneLine(s.Name))],
            services,
            OfficerOf(snapshot.Crime.OfficerInCase),
            MostUseful(referred.Count > 0 && decision.Referral is ReferralOutcome.AutoReferred or ReferralOutcome.Referred ? referred : services));
    }

    /// <summary>A short stable name of the situation, e.g. <c>victim-autoreferred-standard</c>, for file names and tests.</summary>
    public string Situation =>
        $"{Addressee.ToString().ToLowerInvariant()}-{Referral.ToString().ToLowerInvariant()}-{(Enhanced ? "enhanced" : "standard")}";

    /// <summary>
    /// For a bereaved relative, the services for bereaved families come first (in the default directory, the
    /// road victim advocate: eligible for road deaths); otherwise specialist services before the general one.
    /// </summary>
    private static List<ServiceEntry> Ordered(IEnumerable<ServiceEntry> services, bool bereaved) =>
        [.. services
            .Select((service, index) => (service, index))
            .OrderBy(s => bereaved && s.service.EligibleWhen.Contains(nameof(Category.RoadDeath)) ? 0 : 1)
            .ThenBy(s => s.service.EligibleWhen.Contains(ServiceDirectory.EveryVictim) ? 1 : 0)
            .ThenBy(s => s.index)
            .Select(s => s.service)];

    private static HelpContact? MostUseful(IEnumerable<ServiceEntry> services) =>
        services.Select(s => SafeContact.TryPhone(s.SelfReferral.Phone, out var phone) && Text(s.Name) is { } name ? new HelpContact(name, phone) : null)
            .FirstOrDefault(c => c is not null);

    private static OfficerInCase? OfficerOf(OfficerInCase? officer)
    {
        if (officer is null)
        {
            return null;
        }

        var name = Text(officer.Name);
        var email = SafeContact.TryEmail(officer.Email, out var e) ? e : null;
        var phone = SafeContact.TryPhone(officer.Phone, out var p) ? p : null;
        return name is null && email is null && phone is null ? null : new OfficerInCase(name, email, phone);
    }

    private static string GreetingOf(Victim victim) =>
        Text(victim.Title) is { } title && Text(victim.FamilyName) is { } family ? $"{title} {family}" : FullName(victim);

    private static string FullName(Victim victim) =>
        string.Join(' ', new[] { Text(victim.GivenName), Text(victim.FamilyName) }.Where(n => n is not null));

    internal static string? Text(string? value) => SafeText.OneLine(value) is { Length: > 0 } text ? text : null;
}
