using Referrals.Contract;

namespace Referrals.Rules;

/// <summary>What the rules know about a crime's offence, with the reasons a person can check.</summary>
public sealed record OffenceClassification(
    string Code,
    OffenceCodeEntry? Entry,
    IReadOnlySet<Category> Categories,
    IReadOnlyList<string> Reasons)
{
    public bool Is(Category category) => Categories.Contains(category);
}

/// <summary>Rulebook section 1: classify a crime's offence from its Home Office code and its flags.</summary>
public sealed partial class OffenceClassifier(OffenceCodeList codes)
{
    public const string SexualOffencesGroup = "Sexual offences";

    /// <summary>The rulebook's list; also matched by group so codes a force adds to that group count too.</summary>
    public static readonly IReadOnlySet<string> SexualOffenceCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "17A", "17B", "19C", "19D", "19E", "19F", "19G", "19H", "20A", "20B", "21", "22A", "22B", "23",
        "70", "71", "72", "73", "88A", "88C", "88D", "88E",
    };

    public static readonly IReadOnlySet<string> StalkingCodes = new HashSet<string>(StringComparer.Ordinal) { "8Q" };

    public static readonly IReadOnlySet<string> HarassmentCodes = new HashSet<string>(StringComparer.Ordinal) { "8L", "8M", "8R" };

    public static readonly IReadOnlySet<string> RoadDeathCodes = new HashSet<string>(StringComparer.Ordinal) { "4.4", "4.6", "4.8", "4.9", "37.1" };

    public OffenceClassification Classify(Crime crime)
    {
        var code = OffenceCode.Normalise(crime.Offence.HomeOfficeCode);
        var entry = codes.Find(code);
        var categories = new HashSet<Category>();
        var reasons = new List<string>();

        if (entry is null)
        {
            categories.Add(Category.Unclassified);
            // The code is quoted only when it looks like one: a value typed into the wrong field must not reach a reason.
            reasons.Add(LooksLikeACode().IsMatch(code)
                ? $"offence code {code} is not in the offence code list: Unclassified"
                : "offence code is not in the offence code list: Unclassified");
        }
        else if (SexualOffenceCodes.Contains(code) || string.Equals(entry.Group, SexualOffencesGroup, StringComparison.OrdinalIgnoreCase))
        {
            categories.Add(Category.SexualOffence);
            reasons.Add($"offence {code} ({entry.Label}) is a sexual offence");
        }
        else if (StalkingCodes.Contains(code))
        {
            categories.Add(Category.Stalking);
            reasons.Add($"offence {code} ({entry.Label}) is stalking");
        }
        else if (HarassmentCodes.Contains(code))
        {
            categories.Add(Category.Harassment);
            reasons.Add($"offence {code} ({entry.Label}) is harassment");
        }
        else if (RoadDeathCodes.Contains(code))
        {
            categories.Add(Category.RoadDeath);
            reasons.Add($"offence {code} ({entry.Label}) is a death on the road");
        }
        else
        {
            reasons.Add($"offence {code} ({entry.Label}) is classified, in no special category");
        }

        if (CrimeFlags.Has(crime, CrimeFlags.DomesticAbuse))
        {
            categories.Add(Category.DomesticAbuse);
            reasons.Add("crime is flagged DomesticAbuse");
        }

        return new OffenceClassification(code, entry, categories, reasons);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{1,3}[A-Z]?(\.[0-9]{1,2})?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex LooksLikeACode();
}
