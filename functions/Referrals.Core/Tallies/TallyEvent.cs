namespace Referrals.Tallies;

/// <summary>One counted event: its category, the month it counts in, and what it is about (a deterministic id, no personal data).</summary>
public sealed record TallyEvent(Month Month, string Category, string Subject);
