using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The tallies one version per crime must give, computed from the rules' decisions alone: none of the pipeline's
/// state, transition, delivery or counting code is used, so a test comparing the two can catch any of them.
/// </summary>
internal static class ExpectedTallies
{
    private static readonly Lazy<ReferralRules> Rules = new(() =>
        new ReferralRules(new OffenceClassifier(OffenceCodeList.LoadDefault()), ServiceDirectory.LoadDefault(), new WorkingDayCalendar()));

    public static Dictionary<string, long> Of(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string category) => counts[category] = counts.GetValueOrDefault(category) + 1;
        var today = London.DateOf(DateTimeOffset.UtcNow);
        foreach (var snapshot in lines.Select(l => CrimeEventParser.Parse(l).Snapshot).OfType<CrimeEvent>())
        {
            foreach (var decision in Rules.Value.Decide(snapshot))
            {
                Add(TallyCategories.TotalVictims);
                if (decision.Categories.Contains(Category.DomesticAbuse) || decision.Categories.Contains(Category.SexualOffence))
                {
                    Add(TallyCategories.DaSexualOffences);
                }

                foreach (var category in new[] { Category.DomesticAbuse, Category.SexualOffence, Category.Stalking, Category.Harassment, Category.RoadDeath, Category.Child }.Where(decision.Categories.Contains))
                {
                    Add($"Victims.{category}");
                }

                if (decision.EnhancedRights)
                {
                    Add("Victims.EnhancedRights");
                }

                Add(decision.Referral switch
                {
                    ReferralOutcome.AutoReferred => TallyCategories.OptOutAutoReferrals,
                    ReferralOutcome.Referred => TallyCategories.AcceptedAndReferred,
                    ReferralOutcome.Declined => TallyCategories.DeclinedSupport,
                    ReferralOutcome.OptedOut => TallyCategories.OptedOut,
                    _ => TallyCategories.AwaitingConsent,
                });
                // Rulebook 1.1 section 9: a held crime is decided and counted, but nothing goes out for it.
                var sent = !decision.Held;
                if (decision.Held)
                {
                    Add(TallyCategories.HeldContact);
                }

                if (sent && decision.Referral is ReferralOutcome.Declined or ReferralOutcome.AwaitingConsent)
                {
                    Add(TallyCategories.VcuTasksDelivered);
                }

                // Section 6: no safe channel asks the Victim Care Unit to make contact (no receipts here, so no channel fails later).
                if (decision.Contact.ContactNeeded)
                {
                    Add(TallyCategories.ContactNeeded);
                    if (sent)
                    {
                        Add(TallyCategories.VcuTasksDelivered);
                    }
                }

                if (decision.SingleSessionOffer)
                {
                    Add(TallyCategories.SingleSessionOffers);
                }

                foreach (var service in sent ? decision.Services : [])
                {
                    Add(TallyCategories.ReferralsDelivered);
                    Add(TallyCategories.DeliveredTo(service));
                    var onTime = today <= decision.ReferralDueBy ? TallyCategories.ReferralsOnTime : TallyCategories.ReferralsLate;
                    Add(onTime);
                    Add($"{onTime}.{service}");
                }

                if (!decision.Email.Send)
                {
                    Add(TallyCategories.EmailSuppressed(decision.Email.Reason!.Value));
                }
                else if (sent)
                {
                    Add(TallyCategories.EmailsSent);
                }
            }
        }

        foreach (var category in TallyCategories.For(ServiceDirectory.LoadDefault()))
        {
            counts.TryAdd(category.Key, 0);
        }

        return counts;
    }
}
