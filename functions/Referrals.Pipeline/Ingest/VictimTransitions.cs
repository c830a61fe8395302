using System.Globalization;
using Referrals.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Pipeline.Ingest;

/// <summary>
/// How a victim's stored state changes when a newer snapshot is decided: pure, so every transition of
/// the rulebook (ConvertedToYes, Withdrawn, referred at most once, at most one email) is unit-tested.
/// </summary>
public static class VictimTransitions
{
    private static readonly HashSet<string> StickyEmailStatuses =
        [nameof(EmailStatus.Sending), nameof(EmailStatus.Sent), nameof(EmailStatus.Failed), nameof(EmailStatus.Unconfirmed)];

    /// <param name="month">The Europe/London month of the snapshot's sentAt: the month this change counts in.</param>
    public static VictimStateEntity Apply(VictimStateEntity? previous, VictimDecision decision, string partitionKey, DateTimeOffset now, Month month)
    {
        var next = previous is null ? New(decision, partitionKey) : Copy(previous);
        next.Version = decision.CrimeVersion;
        next.Pathway = decision.Pathway.ToString();
        next.Referral = decision.Referral.ToString();
        next.ReferralStatus = Status(previous, decision).ToString();
        next.ReferredServices = CommaList.Join(CommaList.Split(previous?.ReferredServices).Union(decision.Services));
        next.EligibleServices = CommaList.Join(decision.EligibleServices);
        next.SingleSessionOffer = decision.SingleSessionOffer;
        next.EnhancedRights = decision.EnhancedRights;
        next.Child = decision.IsChild;
        next.ReferralDueBy = decision.ReferralDueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        next.UpdatedAt = now;
        ApplyEmail(next, decision, now, month);
        ApplyVcuTasks(next);
        Count(next, previous is null, decision, month);
        return next;
    }

    /// <summary>The tally events of this victim, each once ever: (category, month).</summary>
    public static IEnumerable<(string Category, Month Month)> CountedEvents(VictimStateEntity victim) =>
        CommaList.Split(victim.Counted).Select(entry => entry.Split('@')).Select(parts => (parts[0], Month.TryParse(parts[1], out var m) ? m : default));

    private static void ApplyVcuTasks(VictimStateEntity next)
    {
        var tasks = CommaList.Split(next.VcuTasks).ToList();
        var due = next.ReferralStatus switch
        {
            nameof(ReferralStatus.Declined) when next.SingleSessionOffer => DeliveryKind.SingleSessionOffer.ToString(),
            nameof(ReferralStatus.AwaitingConsent) => DeliveryKind.ConsentRequest.ToString(),
            _ => null,
        };
        if (due is not null && !tasks.Contains(due))
        {
            tasks.Add(due);
        }

        next.VcuTasks = CommaList.Join(tasks);
    }

    private static void Count(VictimStateEntity next, bool firstSeen, VictimDecision decision, Month month)
    {
        var counted = CommaList.Split(next.Counted).ToList();
        var categories = counted.Select(entry => entry.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        void Add(string category)
        {
            if (categories.Add(category))
            {
                counted.Add($"{category}@{month}");
            }
        }

        if (firstSeen)
        {
            Add(TallyCategories.TotalVictims);
        }

        if (decision.Categories.Contains(Category.DomesticAbuse) || decision.Categories.Contains(Category.SexualOffence))
        {
            Add(TallyCategories.DaSexualOffences);
        }

        if (StatusCategory(next.ReferralStatus) is { } status)
        {
            Add(status);
        }

        if (next.VcuTasks.Contains(nameof(DeliveryKind.SingleSessionOffer), StringComparison.Ordinal))
        {
            Add(TallyCategories.SingleSessionOffers);
        }

        if (next.EmailStatus == nameof(EmailStatus.Suppressed) && Enum.TryParse<EmailSuppression>(next.EmailReason, out var reason))
        {
            Add(TallyCategories.EmailSuppressed(reason));
        }

        next.Counted = CommaList.Join(counted);
    }

    private static string? StatusCategory(string status) => status switch
    {
        nameof(ReferralStatus.AutoReferred) => TallyCategories.OptOutAutoReferrals,
        nameof(ReferralStatus.Referred) => TallyCategories.AcceptedAndReferred,
        nameof(ReferralStatus.ConvertedToYes) => TallyCategories.ConvertedToYes,
        nameof(ReferralStatus.Declined) => TallyCategories.DeclinedSupport,
        nameof(ReferralStatus.OptedOut) => TallyCategories.OptedOut,
        nameof(ReferralStatus.AwaitingConsent) => TallyCategories.AwaitingConsent,
        nameof(ReferralStatus.Withdrawn) => TallyCategories.Withdrawn,
        _ => null,
    };

    private static ReferralStatus Status(VictimStateEntity? previous, VictimDecision decision)
    {
        var now = (ReferralStatus)decision.Referral;
        if (previous is null)
        {
            return now;
        }

        var before = Enum.Parse<ReferralStatus>(previous.ReferralStatus);
        var wasReferred = CommaList.Split(previous.ReferredServices).Length > 0;
        return (before, now) switch
        {
            (ReferralStatus.Declined, ReferralStatus.Referred) => ReferralStatus.ConvertedToYes,
            (ReferralStatus.ConvertedToYes, ReferralStatus.Referred) => ReferralStatus.ConvertedToYes,
            (_, ReferralStatus.Declined or ReferralStatus.OptedOut) when wasReferred => ReferralStatus.Withdrawn,
            _ => now,
        };
    }

    private static void ApplyEmail(VictimStateEntity next, VictimDecision decision, DateTimeOffset now, Month month)
    {
        if (StickyEmailStatuses.Contains(next.EmailStatus))
        {
            return;
        }

        if (decision.Email.Send)
        {
            if (next.EmailStatus != nameof(EmailStatus.Queued))
            {
                next.EmailQueuedAt = now;
                next.EmailMonth = month.ToString();
            }

            next.EmailStatus = nameof(EmailStatus.Queued);
            next.EmailReason = null;
            next.EmailRecipient = decision.Email.Recipient.ToString();
        }
        else
        {
            next.EmailStatus = nameof(EmailStatus.Suppressed);
            next.EmailReason = decision.Email.Reason.ToString();
            next.EmailRecipient = null;
            next.EmailQueuedAt = null;
        }
    }

    private static VictimStateEntity New(VictimDecision decision, string partitionKey) => new()
    {
        PartitionKey = partitionKey,
        RowKey = VictimStateStore.RowKeyFor(decision.CrimeReference, decision.VictimId),
        CrimeReference = decision.CrimeReference,
        VictimId = decision.VictimId,
        FirstSeenVersion = decision.CrimeVersion,
    };

    private static VictimStateEntity Copy(VictimStateEntity previous) => new()
    {
        PartitionKey = previous.PartitionKey,
        RowKey = previous.RowKey,
        ETag = previous.ETag,
        CrimeReference = previous.CrimeReference,
        VictimId = previous.VictimId,
        FirstSeenVersion = previous.FirstSeenVersion,
        ReferralStatus = previous.ReferralStatus,
        ReferredServices = previous.ReferredServices,
        EmailStatus = previous.EmailStatus,
        EmailReason = previous.EmailReason,
        EmailRecipient = previous.EmailRecipient,
        EmailQueuedAt = previous.EmailQueuedAt,
        EmailAttemptedAt = previous.EmailAttemptedAt,
        EmailSentAt = previous.EmailSentAt,
        EmailMessageId = previous.EmailMessageId,
        EmailMonth = previous.EmailMonth,
        VcuTasks = previous.VcuTasks,
        Counted = previous.Counted,
    };
}
