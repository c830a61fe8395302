using System.Globalization;
using Referrals.Pipeline.Privacy;
using Referrals.Tallies;

namespace Referrals.Pipeline.Health;

/// <summary>What a timer's run did, as its heartbeat says it: months, counts and store names only.</summary>
public static class TimerSummaries
{
    public static string Of(IReadOnlyList<Month> counted) => $"counted {string.Join(", ", counted)}";

    public static string Of(int asked) => string.Create(CultureInfo.InvariantCulture, $"asked GOV.UK Notify about {asked} message(s)");

    public static string Of(IReadOnlyDictionary<string, long> waiting) =>
        "waiting: " + string.Join(", ", waiting.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key} {w.Value}")));

    public static string Of(Tasks.EscalationCounts swept) => string.Create(CultureInfo.InvariantCulture,
        $"tasks overdue {swept.Overdue}, newly escalated {swept.Escalated}, index rows repaired {swept.Repaired}");

    public static string Of(Deadlines.DeadlineCounts found) => string.Create(CultureInfo.InvariantCulture,
        $"referrals at risk {found.AtRisk}, late {found.Late}, newly noticed {found.Noticed}");

    public static string Of(PurgeCounts purged) => string.Create(CultureInfo.InvariantCulture,
        $"purged crimes {purged.Crimes}, victims {purged.Victims}, partner answers {purged.PartnerAnswers}, dead letters {purged.DeadLetters}, audit rows {purged.AuditRows}, recipient rows {purged.RecipientRows}; forgot crimes {purged.CrimesForgotten}");
}
