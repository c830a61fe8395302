using System.Globalization;
using Referrals.Pipeline.Storage;
using Referrals.Rules;

namespace Referrals.Pipeline.Ingest;

/// <summary>
/// How a victim's stored state changes when a newer snapshot is decided: pure, so every transition of
/// the rulebook (ConvertedToYes, Withdrawn, referred at most once, at most one email) is unit-tested.
/// </summary>
public static class VictimTransitions
{
    private static readonly HashSet<string> StickyEmailStatuses =
        [nameof(EmailStatus.Sending), nameof(EmailStatus.Sent), nameof(EmailStatus.Failed), nameof(EmailStatus.Unconfirmed)];

    public static VictimStateEntity Apply(VictimStateEntity? previous, VictimDecision decision, string partitionKey, DateTimeOffset now)
    {
        var next = previous is null ? New(decision, partitionKey) : Copy(previous);
        next.Version = decision.CrimeVersion;
        next.Pathway = decision.Pathway.ToString();
        next.Referral = decision.Referral.ToString();
        next.ReferralStatus = Status(previous, decision).ToString();
        next.ReferredServices = Join(Split(previous?.ReferredServices).Union(decision.Services));
        next.EligibleServices = Join(decision.EligibleServices);
        next.SingleSessionOffer = decision.SingleSessionOffer;
        next.EnhancedRights = decision.EnhancedRights;
        next.Child = decision.IsChild;
        next.ReferralDueBy = decision.ReferralDueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        next.UpdatedAt = now;
        ApplyEmail(next, decision, now);
        return next;
    }

    private static ReferralStatus Status(VictimStateEntity? previous, VictimDecision decision)
    {
        var now = (ReferralStatus)decision.Referral;
        if (previous is null)
        {
            return now;
        }

        var before = Enum.Parse<ReferralStatus>(previous.ReferralStatus);
        var wasReferred = Split(previous.ReferredServices).Length > 0;
        return (before, now) switch
        {
            (ReferralStatus.Declined, ReferralStatus.Referred) => ReferralStatus.ConvertedToYes,
            (ReferralStatus.ConvertedToYes, ReferralStatus.Referred) => ReferralStatus.ConvertedToYes,
            (_, ReferralStatus.Declined or ReferralStatus.OptedOut) when wasReferred => ReferralStatus.Withdrawn,
            _ => now,
        };
    }

    private static void ApplyEmail(VictimStateEntity next, VictimDecision decision, DateTimeOffset now)
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
        RowKey = VictimStateStore.RowKeyFor(decision.VictimId),
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
    };

    private static string[] Split(string? list) =>
        string.IsNullOrEmpty(list) ? [] : list.Split(',');

    private static string Join(IEnumerable<string> ids) => string.Join(',', ids);
}
