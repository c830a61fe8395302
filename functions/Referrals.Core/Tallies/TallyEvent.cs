namespace Referrals.Tallies;

/// <summary>
/// One counted event: its category, the month it counts in, and what it is about (a deterministic id, no personal
/// data). A delivery's events also name the service (<paramref name="Service"/>), so each figure is counted per service too.
/// </summary>
public sealed record TallyEvent(Month Month, string Category, string Subject, string? Service = null);
