namespace Referrals.Tallies;

/// <summary>A ratio of figures: the sum of <paramref name="Numerator"/> over the sum of <paramref name="Denominator"/>, for a month or a range.</summary>
public sealed record TallyRate(string Key, string Name, string Definition, IReadOnlyList<string> Numerator, IReadOnlyList<string> Denominator, string? Service = null);

/// <summary>The rates reported beside the counts. Each is built from the categories present, so a service or channel added later gets its own.</summary>
public static class TallyRates
{
    public const string OnTime = "OnTimeRate";
    public const string Conversion = "ConversionRate";
    public const string EmailSuppression = "EmailSuppressionRate";

    public static IReadOnlyList<TallyRate> For(IReadOnlyList<TallyCategory> categories)
    {
        var keys = categories.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var suppressed = categories.Where(c => c.Key.StartsWith("EmailSuppressed.", StringComparison.Ordinal)).Select(c => c.Key).ToList();
        var services = categories.Where(c => c.Base == TallyCategories.ReferralsOnTime && c.Service is not null).Select(c => (c.Service!, c.Name[(c.Name.IndexOf(':', StringComparison.Ordinal) + 2)..])).ToList();
        List<TallyRate> rates =
        [
            new(OnTime, "Referred within 2 working days", "Referrals delivered on or before their due date, as a share of referrals delivered on time or late.",
                [TallyCategories.ReferralsOnTime], [TallyCategories.ReferralsOnTime, TallyCategories.ReferralsLate]),
            .. services.Select(s => new TallyRate($"{OnTime}.{s.Item1}", $"Referred within 2 working days: {s.Item2}", $"The same, for {s.Item2}.",
                [TallyCategories.ForService(TallyCategories.ReferralsOnTime, s.Item1)],
                [TallyCategories.ForService(TallyCategories.ReferralsOnTime, s.Item1), TallyCategories.ForService(TallyCategories.ReferralsLate, s.Item1)], s.Item1)),
            new(Conversion, "Declined, then converted to yes", "Victims converted to yes, as a share of victims who declined support (both counted in their own month).",
                [TallyCategories.ConvertedToYes], [TallyCategories.DeclinedSupport]),
            new(EmailSuppression, "Emails suppressed", "Victims not emailed for a safety or address reason, as a share of victims emailed or not emailed.",
                suppressed, [TallyCategories.EmailsSent, .. suppressed]),
        ];
        return [.. rates.Where(r => r.Numerator.Concat(r.Denominator).All(keys.Contains))];
    }
}
