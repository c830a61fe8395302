using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>
/// Invariants that must hold for any snapshot: generated as JSON, read by the real parser, decided by the
/// real rules. A counter-example is printed by FsCheck as the JSON that broke the rule.
/// </summary>
public class RuleInvariantProperties
{
    private static readonly WorkingDayCalendar Calendar = new();

    private static readonly string[] CodePool =
        ["28E", "8N", "19C", "20B", "88E", "8Q", "8L", "8R", "4.4", "4/8", "37.1", "1", "4.10", "56A", "106", "72", "34B", "49", " 8q ", "zz9", "999", "#"];

    private static readonly string[] FlagPool = ["DomesticAbuse", "Hate", "Terrorism", "RepeatVictim", "domesticabuse", "Unknown"];

    private static readonly string?[] EmailPool = [null, "victim@example.org", "other@example.net", "not-an-email", "a@b.org, c@d.org", "Name <n@example.org>", ""];

    private static readonly bool?[] Tristate = [null, true, false];

    private static Gen<JsonNode?> Bool() => Gen.Elements<bool?>(Tristate).Select(b => b is null ? null : (JsonNode)JsonValue.Create(b.Value));

    private static Gen<JsonObject?> Parent() =>
        from present in Gen.Elements(true, true, false)
        from email in Gen.Elements(EmailPool)
        from emailSafe in Bool()
        from isSuspect in Bool()
        select present
            ? new JsonObject { ["name"] = "Jo Taylor", ["email"] = email, ["emailSafe"] = emailSafe, ["isSuspect"] = isSuspect }
            : null;

    private static Gen<JsonObject> VictimJson(int index) =>
        from support in Gen.Elements("NotAsked", "Accepted", "Declined")
        from email in Gen.Elements(EmailPool)
        from emailSafe in Bool()
        from age in Gen.Elements<int?>(null, 3, 12, 17, 18, 40, 90)
        from vulnerable in Bool()
        from intimidated in Bool()
        from bereaved in Bool()
        from parent in Parent()
        select new JsonObject
        {
            ["id"] = $"V{index}",
            ["givenName"] = "Sam",
            ["familyName"] = "Taylor",
            ["dateOfBirth"] = age is null ? null : new DateOnly(2026 - age.Value, 3, 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["email"] = email,
            ["emailSafe"] = emailSafe,
            ["vulnerable"] = vulnerable,
            ["intimidated"] = intimidated,
            ["bereavedRelative"] = bereaved,
            ["support"] = support,
            ["parentOrGuardian"] = parent,
        };

    private static Gen<CrimeEvent> Snapshots() =>
        from code in Gen.Elements(CodePool)
        from flags in Gen.SubListOf(FlagPool)
        from day in Gen.Choose(0, 365 * 4)
        from hour in Gen.Choose(0, 23)
        from count in Gen.Choose(1, 4)
        from victims in Gen.CollectToList(Enumerable.Range(1, count).Select(VictimJson))
        select Parse(new JsonObject
        {
            ["schemaVersion"] = 1,
            ["eventId"] = "generated",
            ["sentAt"] = "2026-10-05T09:14:00Z",
            ["crime"] = new JsonObject
            {
                ["reference"] = "DB/26/999999",
                ["version"] = 1,
                ["recordedAt"] = new DateTimeOffset(2026, 1, 1, hour, 0, 0, TimeSpan.Zero).AddDays(day).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["offence"] = new JsonObject { ["homeOfficeCode"] = code },
                ["flags"] = new JsonArray([.. flags.Select(f => (JsonNode)JsonValue.Create(f))]),
            },
            ["victims"] = new JsonArray([.. victims]),
        });

    private static CrimeEvent Parse(JsonObject json)
    {
        var result = CrimeEventParser.Parse(json.ToJsonString());
        return result.Snapshot ?? throw new InvalidOperationException($"generator made an invalid snapshot: {result.Reason}");
    }

    private static Property ForEveryVictim(Func<CrimeEvent, Victim, VictimDecision, bool> invariant) =>
        Prop.ForAll(Arb.From(Snapshots()), snapshot =>
            snapshot.Victims.Zip(Rulebook.Decide(snapshot)).All(pair => invariant(snapshot, pair.First, pair.Second)));

    [Property(MaxTest = 500)]
    public Property A_consent_pathway_victim_is_never_auto_referred() =>
        ForEveryVictim((_, _, d) => d.Pathway != Pathway.Consent || d.Referral != ReferralOutcome.AutoReferred);

    [Property(MaxTest = 500)]
    public Property Nobody_who_declined_is_referred() =>
        ForEveryVictim((_, v, d) => v.Support != SupportAnswer.Declined || d.Services.Count == 0);

    [Property(MaxTest = 500)]
    public Property A_consent_pathway_victim_is_referred_only_with_consent() =>
        ForEveryVictim((_, v, d) => d.Pathway != Pathway.Consent || d.Services.Count == 0 || v.Support == SupportAnswer.Accepted);

    [Property(MaxTest = 500)]
    public Property Sexual_offence_and_domestic_abuse_victims_are_always_on_the_consent_pathway() =>
        ForEveryVictim((_, _, d) => !(d.Categories.Contains(Category.SexualOffence) || d.Categories.Contains(Category.DomesticAbuse) || d.Categories.Contains(Category.Unclassified))
            || d.Pathway == Pathway.Consent);

    [Property(MaxTest = 500)]
    public Property No_email_goes_to_an_address_recorded_unsafe() =>
        ForEveryVictim((_, v, d) => !d.Email.Send || (d.Email.Recipient == EmailRecipient.Victim ? v.EmailSafe : v.ParentOrGuardian!.EmailSafe) != false);

    [Property(MaxTest = 500)]
    public Property On_the_consent_pathway_email_goes_only_to_an_address_confirmed_safe() =>
        ForEveryVictim((_, v, d) => !d.Email.Send || d.Pathway != Pathway.Consent
            || (d.Email.Recipient == EmailRecipient.Victim ? v.EmailSafe : v.ParentOrGuardian!.EmailSafe) == true);

    [Property(MaxTest = 500)]
    public Property A_childs_email_never_goes_to_the_child_or_to_a_parent_who_may_be_a_suspect() =>
        ForEveryVictim((_, v, d) => !d.IsChild || !d.Email.Send
            || (d.Email.Recipient == EmailRecipient.ParentOrGuardian && v.ParentOrGuardian!.IsSuspect == false && d.Email.Address == v.ParentOrGuardian.Email?.Trim()));

    [Property(MaxTest = 500)]
    public Property An_email_is_only_ever_sent_to_a_valid_single_address() =>
        ForEveryVictim((_, _, d) => d.Email.Send == (d.Email.Address is not null) && (!d.Email.Send || EmailAddress.IsValid(d.Email.Address)) && d.Email.Send == (d.Email.Reason is null));

    [Property(MaxTest = 500)]
    public Property A_single_session_is_offered_exactly_when_a_consent_pathway_victim_declines() =>
        ForEveryVictim((_, v, d) => d.SingleSessionOffer == (d.Pathway == Pathway.Consent && v.Support == SupportAnswer.Declined));

    [Property(MaxTest = 500)]
    public Property Referred_services_are_always_eligible_and_everyone_is_eligible_for_general() =>
        ForEveryVictim((_, _, d) => d.Services.All(d.EligibleServices.Contains) && d.EligibleServices.Contains("general"));

    [Property(MaxTest = 500)]
    public Property The_deadline_is_two_working_days_after_the_recorded_date() =>
        ForEveryVictim((s, _, d) =>
        {
            var recorded = London.DateOf(s.Crime.RecordedAt);
            var workingDaysBetween = Enumerable.Range(1, d.ReferralDueBy.DayNumber - recorded.DayNumber)
                .Count(offset => Calendar.IsWorkingDay(recorded.AddDays(offset)));
            return Calendar.IsWorkingDay(d.ReferralDueBy) && workingDaysBetween == 2;
        });

    [Property(MaxTest = 200)]
    public Property Every_decision_carries_its_reasons() =>
        ForEveryVictim((_, _, d) => d.Reasons.Count >= 4);
}
