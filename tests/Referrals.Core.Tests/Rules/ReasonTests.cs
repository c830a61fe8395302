using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>
/// Rulebook section 8: every decision carries the reasons a caseworker reads in the dry run and the audit,
/// word for word, one per rule that fired, in the order the rules are applied.
/// </summary>
public class ReasonTests
{
    private static readonly ParentOrGuardian SafeParent = new("Jo Taylor", "parent@example.org", true, false);

    [Fact]
    public void An_opt_out_victim_auto_referred_reads_offence_pathway_referral_rights_and_email() =>
        Assert.Equal(
            [
                "offence 28E (Burglary Residential) is classified, in no special category",
                "no consent criterion applies: opt-out pathway",
                "support NotAsked on the opt-out pathway: referred automatically to general",
                "standard rights: no enhanced-rights criterion applies",
                "entitlement email to the victim",
            ],
            Decide("28E").Reasons);

    [Fact]
    public void An_opt_out_victim_who_declines_reads_that_no_service_is_referred() =>
        Assert.Equal("victim opted out of referral: no service referred", Decide("28E", victim: Victim(support: SupportAnswer.Declined)).Reasons[2]);

    [Fact]
    public void A_sexual_offence_victim_who_declines_reads_the_single_session_offer() =>
        Assert.Equal(
            [
                "offence 19C (Rape of a female aged 16 and over) is a sexual offence",
                "sexual offence: consent pathway",
                "victim declined referral: no service referred; Victim Care Unit single-session offer raised",
                "enhanced rights: victim of the most serious crime",
                "entitlement email to the victim",
            ],
            Decide("19C", victim: Victim(support: SupportAnswer.Declined)).Reasons);

    [Fact]
    public void A_child_victim_meeting_every_criterion_reads_each_of_them() =>
        Assert.Equal(
            [
                "offence 8Q (Stalking) is stalking",
                "crime is flagged DomesticAbuse",
                "victim is under 18 on 2026-10-05: child victim",
                "DomesticAbuse flag, bereaved relative: consent pathway",
                "victim consented to referral: referred to every eligible service (general, idva, stalking, children)",
                "enhanced rights: victim of the most serious crime, persistently targeted, vulnerable, intimidated, bereaved close relative",
                "entitlement email to the parent or guardian",
            ],
            Decide("8Q", ["DomesticAbuse", "RepeatVictim"], Victim(
                support: SupportAnswer.Accepted, dateOfBirth: ChildBirthDate, bereavedRelative: true, intimidated: true, parent: SafeParent)).Reasons);

    [Fact]
    public void An_unclassified_victim_not_yet_asked_reads_that_consent_is_awaited() =>
        Assert.Equal(
            [
                "offence code 99Z is not in the offence code list: Unclassified",
                "unclassified offence (never referred automatically): consent pathway",
                "victim not yet asked for consent: no service referred until they accept",
                "standard rights: no enhanced-rights criterion applies",
                "no entitlement email (NoEmailAddress): victim has no email address",
            ],
            Decide("99Z", victim: Victim(email: null)).Reasons);

    [Theory]
    [InlineData("999", "offence code 999 is not in the offence code list: Unclassified")]
    [InlineData("105Z", "offence code 105Z is not in the offence code list: Unclassified")]
    [InlineData("4.99", "offence code 4.99 is not in the offence code list: Unclassified")]
    [InlineData("1234", "offence code is not in the offence code list: Unclassified")]
    [InlineData("12345678", "offence code is not in the offence code list: Unclassified")]
    [InlineData("Z.9", "offence code is not in the offence code list: Unclassified")]
    [InlineData("4.123", "offence code is not in the offence code list: Unclassified")]
    [InlineData("SMITH", "offence code is not in the offence code list: Unclassified")]
    [InlineData("8 N", "offence code is not in the offence code list: Unclassified")]
    [InlineData("<script>", "offence code is not in the offence code list: Unclassified")]
    public void An_unknown_code_is_quoted_only_when_it_looks_like_a_code(string code, string reason) =>
        Assert.Equal(reason, Decide(code).Reasons[0]);

    [Theory]
    [InlineData("8L", "offence 8L (Harassment) is harassment")]
    [InlineData("4.4", "offence 4.4 (Causing death by dangerous driving) is a death on the road")]
    [InlineData("4/8", "offence 4.8 (Causing death by careless or inconsiderate driving) is a death on the road")]
    public void The_offence_reason_names_the_code_its_label_and_its_category(string code, string reason) =>
        Assert.Equal(reason, Decide(code).Reasons[0]);

    [Theory]
    [InlineData("28E", "Hate", "enhanced rights: victim of the most serious crime")]
    [InlineData("28E", "terrorism", "enhanced rights: victim of the most serious crime")]
    [InlineData("4.4", "", "enhanced rights: victim of the most serious crime")]
    [InlineData("36", "", "enhanced rights: victim of the most serious crime")]
    [InlineData("8L", "", "enhanced rights: persistently targeted")]
    [InlineData("8Q", "", "enhanced rights: persistently targeted")]
    [InlineData("28E", "RepeatVictim", "enhanced rights: persistently targeted")]
    public void The_enhanced_rights_reason_names_the_criterion(string code, string flag, string reason) =>
        Assert.Contains(reason, Decide(code, flag.Length == 0 ? [] : [flag]).Reasons);

    [Fact]
    public void A_vulnerable_adult_reads_vulnerable() =>
        Assert.Contains("enhanced rights: vulnerable", Decide("28E", victim: Victim(vulnerable: true)).Reasons);

    public static TheoryData<string, Victim, string> Suppressions => new()
    {
        { "1", Victim(bereavedRelative: true), "no entitlement email (FamilyLiaison): bereaved relative after a homicide: the family liaison officer gives the information in person" },
        { "28E", Victim(dateOfBirth: ChildBirthDate), "no entitlement email (NoSafeRecipient): child victim with no parent or guardian recorded" },
        { "28E", Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { IsSuspect = true }), "no entitlement email (NoSafeRecipient): child victim's parent or guardian is a suspect" },
        { "28E", Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { IsSuspect = null }), "no entitlement email (NoSafeRecipient): child victim's parent or guardian is not recorded as not a suspect" },
        { "28E", Victim(email: "victim at example.org"), "no entitlement email (NoEmailAddress): victim's email address is not valid: treated as absent" },
        { "28E", Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { Email = null }), "no entitlement email (NoEmailAddress): parent or guardian has no email address" },
        { "28E", Victim(emailSafe: false), "no entitlement email (UnsafeToContact): victim's email is recorded as not safe to use" },
        { "28E", Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { EmailSafe = false }), "no entitlement email (UnsafeToContact): parent or guardian's email is recorded as not safe to use" },
        { "19C", Victim(emailSafe: null), "no entitlement email (NotConfirmedSafe): consent pathway and victim's email is not confirmed safe" },
        { "8Q", Victim(emailSafe: null), "no entitlement email (NotConfirmedSafe): stalking or harassment and victim's email is not confirmed safe" },
        { "8L", Victim(emailSafe: null), "no entitlement email (NotConfirmedSafe): stalking or harassment and victim's email is not confirmed safe" },
    };

    [Theory]
    [MemberData(nameof(Suppressions))]
    public void A_suppressed_email_reads_its_reason_and_why(string code, Victim victim, string reason) =>
        Assert.Equal(reason, Decide(code, victim: victim).Reasons[^1]);

    [Fact]
    public void A_directory_with_no_automatic_or_eligible_service_reads_no_service()
    {
        var directory = ServiceDirectory.Parse("""
            { "victimCareUnit": { "name": "VCU", "referral": { "channel": "Email", "address": "vcu@police.example" } },
              "services": [ { "id": "stalking", "name": "Stalking advocates", "eligibleWhen": ["Stalking"],
                "selfReferral": { "phone": "0808 157 0102" }, "referral": { "channel": "Email", "address": "s@service.example" } } ] }
            """, "test.json");
        var rules = new ReferralRules(new OffenceClassifier(Codes), directory, new WorkingDayCalendar());
        Assert.Contains("support NotAsked on the opt-out pathway: referred automatically to no service",
            rules.Decide(Snapshot("28E"))[0].Reasons);
        Assert.Contains("victim consented to referral: referred to every eligible service (no service)",
            rules.Decide(Snapshot("19C", victims: Victim(support: SupportAnswer.Accepted)))[0].Reasons);
    }
}
