using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Rules;

namespace Referrals.Tests;

/// <summary>The shipped rules data, and small builders for synthetic snapshots (no real person's data).</summary>
internal static class Fixtures
{
    /// <summary>Monday 5 October 2026, 08:50 in London.</summary>
    public static readonly DateTimeOffset RecordedAt = new(2026, 10, 5, 8, 50, 0, TimeSpan.FromHours(1));

    public static readonly OffenceCodeList Codes = OffenceCodeList.LoadDefault();
    public static readonly ServiceDirectory Services = ServiceDirectory.LoadDefault();
    public static readonly ForceIdentity Force = ForceIdentity.Example;
    public static readonly EmailTemplates Templates = EmailTemplates.LoadDefault();
    public static readonly ReferralRules Rulebook = new(new OffenceClassifier(Codes), Services, new WorkingDayCalendar());
    /// <summary>The calendar the rulebook counts working days with (the tallies' time to inform counts with it too).</summary>
    public static WorkingDayCalendar WorkingDays => Rulebook.Calendar;

    public static readonly EntitlementEmailComposer Composer = new(Templates, Services, Force);

    public static Victim Victim(
        string id = "V1",
        SupportAnswer support = SupportAnswer.NotAsked,
        string? email = "victim@example.org",
        bool? emailSafe = true,
        DateOnly? dateOfBirth = null,
        bool vulnerable = false,
        bool intimidated = false,
        bool bereavedRelative = false,
        ParentOrGuardian? parent = null,
        string? givenName = "Sam",
        string? familyName = "Taylor",
        string? language = null) =>
        new(id, null, givenName, familyName, dateOfBirth, email, emailSafe, null, null, language,
            vulnerable, intimidated, bereavedRelative, support, parent);

    public static CrimeEvent Snapshot(string code = "28E", string[]? flags = null, DateTimeOffset? recordedAt = null, long version = 1, OfficerInCase? officer = null, params Victim[] victims) =>
        new(1, "evt-1", new DateTimeOffset(2026, 10, 5, 9, 14, 0, TimeSpan.Zero),
            new Crime("DB/26/000001", version, recordedAt ?? RecordedAt, new Offence(code, null), flags ?? [], officer),
            victims.Length == 0 ? [Victim()] : victims);

    public static VictimDecision Decide(CrimeEvent snapshot) => Rulebook.Decide(snapshot)[0];

    public static VictimDecision Decide(string code = "28E", string[]? flags = null, Victim? victim = null) =>
        Decide(Snapshot(code, flags, victims: victim ?? Victim()));

    public static string SamplesPath => Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl");

    /// <summary>A child on the crime's recorded date: 10 years old.</summary>
    public static readonly DateOnly ChildBirthDate = new(2016, 1, 1);
}
