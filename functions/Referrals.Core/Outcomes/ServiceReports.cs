using System.Collections.Immutable;

namespace Referrals.Outcomes;

/// <summary>
/// What one service reported about one referral: the first reported time of each status (by its code, so each reason of
/// CouldNotContact is kept apart). Grow-only: a repeated report changes nothing, a later status removes no earlier one.
/// </summary>
public sealed record ServiceReports(ImmutableSortedDictionary<string, DateTimeOffset> FirstReported)
{
    public static readonly ServiceReports None = new(ImmutableSortedDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal));

    /// <summary>The statuses reported, each once.</summary>
    public IEnumerable<ServiceStatus> Statuses => FirstReported.Keys.Select(OutcomeCodes.StatusOf).Distinct();

    public bool Has(string code) => FirstReported.ContainsKey(code);

    public bool Has(ServiceStatus status) => Statuses.Contains(status);

    public bool Equals(ServiceReports? other) => other is not null && FirstReported.SequenceEqual(other.FirstReported);

    public override int GetHashCode() => FirstReported.Count;
}

/// <summary>The services' reports about a victim's referrals, by service id.</summary>
public sealed record OutcomeBook(ImmutableSortedDictionary<string, ServiceReports> ByService)
{
    public static readonly OutcomeBook Empty = new(ImmutableSortedDictionary.Create<string, ServiceReports>(StringComparer.Ordinal));

    public ServiceReports For(string serviceId) => ByService.TryGetValue(serviceId, out var reports) ? reports : ServiceReports.None;

    public OutcomeBook With(string serviceId, ServiceReports reports) => new(ByService.SetItem(serviceId, reports));

    public bool Equals(OutcomeBook? other) => other is not null && ByService.Count == other.ByService.Count
        && ByService.All(e => other.ByService.TryGetValue(e.Key, out var r) && r.Equals(e.Value));

    public override int GetHashCode() => ByService.Count;
}
