using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rules;

namespace Referrals.Tests.Situations;

/// <summary>One synthetic victim in one situation a message must get right (issue 11), with the decision the rules make.</summary>
public sealed record MessageSituation(string Name, CrimeEvent Snapshot, Victim Victim, VictimDecision Decision);

/// <summary>
/// Every situation the messages word differently, with the longest values the contract allows where length matters
/// (a 64-character crime reference without a space, long names): victim, parent or guardian, bereaved relative;
/// enhanced or standard; referred automatically, referred with consent, awaiting consent, declined, opted out;
/// stalking; English, Welsh-first. Synthetic data only.
/// </summary>
public static class MessageSituations
{
    /// <summary>64 printable ASCII characters, the longest reference the contract allows, with no space to wrap at.</summary>
    public const string LongReference = "WP/26/0000000001-ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstu";

    private static readonly ServiceDirectory Directory = ServiceDirectory.LoadDefault();
    private static readonly ReferralRules Rules = new(new OffenceClassifier(OffenceCodeList.LoadDefault()), Directory, new WorkingDayCalendar());

    private static readonly PostalAddress Address = PostalAddress.Create(
        ["Flat 12B, Llys Glyndŵr House", "1234 Long Example Road", "Llanfairpwllgwyngyll"], "LL61 5UJ");

    public static IReadOnlyList<MessageSituation> All { get; } =
    [
        Make("victim-autoreferred-standard", "28E", [], Adult(SupportAnswer.NotAsked)),
        Make("victim-referred-enhanced-domestic-abuse", "8N", ["DomesticAbuse"], Adult(SupportAnswer.Accepted)),
        Make("victim-awaitingconsent-enhanced-sexual-offence", "19C", [], Adult(SupportAnswer.NotAsked)),
        Make("victim-declined-enhanced", "19C", [], Adult(SupportAnswer.Declined)),
        Make("victim-optedout-standard", "49", [], Adult(SupportAnswer.Declined)),
        Make("victim-autoreferred-enhanced-stalking", "8Q", [], Adult(SupportAnswer.NotAsked)),
        Make("parent-autoreferred-enhanced", "34B", [], Child()),
        Make("bereaved-awaitingconsent-enhanced-road-death", "4.4", [], Adult(SupportAnswer.NotAsked) with { BereavedRelative = true }),
        Make("bereaved-referred-enhanced-road-death", "4.4", [], Adult(SupportAnswer.Accepted) with { BereavedRelative = true }),
        Make("cy-victim-autoreferred-standard", "28E", [], Adult(SupportAnswer.NotAsked) with { PreferredLanguage = "cy" }),
        Make("cy-victim-declined-enhanced", "19C", [], Adult(SupportAnswer.Declined) with { PreferredLanguage = "cy" }),
        Make("cy-bereaved-awaitingconsent-enhanced-road-death", "4.4", [], Adult(SupportAnswer.NotAsked) with { BereavedRelative = true, PreferredLanguage = "cy" }),
        Make("cy-parent-autoreferred-enhanced", "34B", [], Child() with { PreferredLanguage = "cy" }),
    ];

    private static Victim Adult(SupportAnswer support) => new(
        "V1", "Mx", "Siân", "Llewelyn-Fitzgerald-Ramaswamy", new DateOnly(1980, 4, 1), "victim@example.org", true, "07700 900123", true, null,
        false, false, false, support, null, Address, true);

    private static Victim Child() => new(
        "V1", null, "Gwenllian-Alexandra", "Llewelyn-Fitzgerald-Ramaswamy", new DateOnly(2016, 1, 1), null, null, null, null, null, false, false, false,
        SupportAnswer.NotAsked,
        new ParentOrGuardian("Bartholomew Llewelyn-Fitzgerald-Ramaswamy", "parent@example.org", true, false, "07700 900456", true, Address, true));

    private static MessageSituation Make(string name, string code, string[] flags, Victim victim)
    {
        var snapshot = new CrimeEvent(1, $"evt-{name}", new DateTimeOffset(2026, 10, 5, 9, 14, 0, TimeSpan.Zero),
            new Crime(LongReference, 1, new DateTimeOffset(2026, 10, 5, 8, 50, 0, TimeSpan.FromHours(1)), new Offence(code, null), flags,
                new OfficerInCase("Detective Constable 48213 Bartholomew Llewelyn-Fitzgerald", "oic.48213@police.example", "01632 960 482")),
            [victim]);
        return new MessageSituation(name, snapshot, victim, Rules.Decide(snapshot, victim));
    }
}
