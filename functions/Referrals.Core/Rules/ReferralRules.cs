using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Contract;

namespace Referrals.Rules;

/// <summary>
/// The referral rulebook v1 applied to one snapshot: a pure function of the snapshot, the offence code
/// list, the services directory and the calendar. It never sends, stores or logs anything.
/// </summary>
public sealed class ReferralRules(OffenceClassifier classifier, ServiceDirectory directory, WorkingDayCalendar calendar)
{
    public const int ReferralWorkingDays = 2;

    /// <summary>The working days the rules count with (bank holidays and the force's extra ones): the tallies count with it too.</summary>
    public WorkingDayCalendar Calendar => calendar;

    /// <summary>Rulebook section 5: homicide, attempted murder, conspiracy to murder, kidnapping, arson endangering life, serious harm, modern slavery, trafficking.</summary>
    public static readonly IReadOnlySet<string> MostSeriousCrimeCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "1", "4.1", "4.2", "4.10", "2", "3A", "36", "56A", "5D", "106", "72",
    };

    /// <summary>Rulebook 1.1 section 6: homicide, whose bereaved relatives hear from their family liaison officer, not an automated message.</summary>
    public static readonly IReadOnlySet<string> HomicideCodes = new HashSet<string>(StringComparer.Ordinal) { "1", "4.1", "4.2", "4.10" };

    public IReadOnlyList<VictimDecision> Decide(CrimeEvent snapshot)
    {
        var offence = classifier.Classify(snapshot.Crime);
        return [.. snapshot.Victims.Select(victim => Decide(snapshot, offence, victim))];
    }

    public VictimDecision Decide(CrimeEvent snapshot, Victim victim) =>
        Decide(snapshot, classifier.Classify(snapshot.Crime), victim);

    private VictimDecision Decide(CrimeEvent snapshot, OffenceClassification offence, Victim victim)
    {
        var reasons = new List<string>(offence.Reasons);
        var recordedOn = London.DateOf(snapshot.Crime.RecordedAt);

        var categories = new HashSet<Category>(offence.Categories);
        var isChild = IsChild(victim, recordedOn);
        if (isChild)
        {
            categories.Add(Category.Child);
            reasons.Add($"victim is under 18 on {recordedOn:yyyy-MM-dd}: child victim");
        }

        var pathway = ChoosePathway(offence, victim, reasons);
        var eligible = directory.Services.Where(s => s.IsEligible(categories)).ToList();
        var (referral, referred) = DecideReferral(pathway, victim.Support, eligible, reasons);
        var enhanced = HasEnhancedRights(snapshot, offence, victim, isChild, reasons);
        var contact = ChannelSafety.Plan(offence, pathway, victim, isChild);
        reasons.Add(contact[Channel.Email].Because);
        var held = CrimeFlags.Has(snapshot.Crime, CrimeFlags.HoldContact);
        if (held)
        {
            reasons.Add("HoldContact flag: nothing is sent for this crime (no message, referral, withdrawal or Victim Care Unit task) until a later snapshot lifts the hold");
        }
        var dueBy = calendar.AddWorkingDays(recordedOn, ReferralWorkingDays);

        return new VictimDecision(
            snapshot.EventId,
            snapshot.Crime.Reference,
            snapshot.Crime.Version,
            victim.Id,
            [.. categories.Order()],
            pathway,
            referral,
            [.. referred.Select(s => s.Id)],
            [.. eligible.Select(s => s.Id)],
            SingleSessionOffer: referral == ReferralOutcome.Declined,
            enhanced,
            ChannelSafety.EmailOf(contact),
            dueBy,
            reasons,
            contact,
            held,
            recordedOn);
    }

    /// <summary>Under 18 on the recorded date. Never throws, whatever the dates (an 18th birthday past year 9999 is a child's).</summary>
    public static bool IsChild(Victim victim, DateOnly recordedOn) =>
        victim.DateOfBirth is { } born
        && (born.Year > DateOnly.MaxValue.Year - 18 || born.AddYears(18) > recordedOn);

    private static Pathway ChoosePathway(OffenceClassification offence, Victim victim, List<string> reasons)
    {
        var consentBecause = new List<string>();
        if (offence.Is(Category.SexualOffence))
        {
            consentBecause.Add("sexual offence");
        }

        if (offence.Is(Category.DomesticAbuse))
        {
            consentBecause.Add("DomesticAbuse flag");
        }

        if (victim.BereavedRelative)
        {
            consentBecause.Add("bereaved relative");
        }

        if (offence.Is(Category.Unclassified))
        {
            consentBecause.Add("unclassified offence (never referred automatically)");
        }

        if (consentBecause.Count > 0)
        {
            reasons.Add($"{string.Join(", ", consentBecause)}: consent pathway");
            return Pathway.Consent;
        }

        reasons.Add("no consent criterion applies: opt-out pathway");
        return Pathway.OptOut;
    }

    private static (ReferralOutcome Outcome, List<ServiceEntry> Referred) DecideReferral(
        Pathway pathway, SupportAnswer support, List<ServiceEntry> eligible, List<string> reasons)
    {
        switch (pathway, support)
        {
            case (Pathway.OptOut, SupportAnswer.Declined):
                reasons.Add("victim opted out of referral: no service referred");
                return (ReferralOutcome.OptedOut, []);
            case (Pathway.OptOut, _):
                var automatic = eligible.Where(s => s.AutoReferOnOptOut).ToList();
                reasons.Add($"support {support} on the opt-out pathway: referred automatically to {Describe(automatic)}");
                return (ReferralOutcome.AutoReferred, automatic);
            case (Pathway.Consent, SupportAnswer.Accepted):
                reasons.Add($"victim consented to referral: referred to every eligible service ({Describe(eligible)})");
                return (ReferralOutcome.Referred, eligible);
            case (Pathway.Consent, SupportAnswer.Declined):
                reasons.Add("victim declined referral: no service referred; Victim Care Unit single-session offer raised");
                return (ReferralOutcome.Declined, []);
            default:
                reasons.Add("victim not yet asked for consent: no service referred until they accept");
                return (ReferralOutcome.AwaitingConsent, []);
        }
    }

    private static string Describe(List<ServiceEntry> services) =>
        services.Count == 0 ? "no service" : string.Join(", ", services.Select(s => s.Id));

    private static bool HasEnhancedRights(CrimeEvent snapshot, OffenceClassification offence, Victim victim, bool isChild, List<string> reasons)
    {
        var because = new List<string>();
        if (offence.Is(Category.SexualOffence) || offence.Is(Category.DomesticAbuse) || offence.Is(Category.RoadDeath)
            || MostSeriousCrimeCodes.Contains(offence.Code)
            || CrimeFlags.Has(snapshot.Crime, CrimeFlags.Hate) || CrimeFlags.Has(snapshot.Crime, CrimeFlags.Terrorism))
        {
            because.Add("victim of the most serious crime");
        }

        if (offence.Is(Category.Stalking) || offence.Is(Category.Harassment) || CrimeFlags.Has(snapshot.Crime, CrimeFlags.RepeatVictim))
        {
            because.Add("persistently targeted");
        }

        if (isChild || victim.Vulnerable)
        {
            because.Add("vulnerable");
        }

        if (victim.Intimidated)
        {
            because.Add("intimidated");
        }

        if (victim.BereavedRelative)
        {
            because.Add("bereaved close relative");
        }

        reasons.Add(because.Count > 0
            ? $"enhanced rights: {string.Join(", ", because)}"
            : "standard rights: no enhanced-rights criterion applies");
        return because.Count > 0;
    }
}
