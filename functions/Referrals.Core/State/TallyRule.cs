using System.Collections.Immutable;
using Referrals.Calendar;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.State;

/// <summary>The tally events of a victim's change: each category once per victim, ever, in the month it first happened.</summary>
public static class TallyRule
{
    /// <summary>The victim's counted events after this change: the earlier ones kept, the new ones in <paramref name="month"/>.</summary>
    public static ImmutableSortedDictionary<string, Month> Counted(VictimState? previous, VictimState next, IReadOnlyList<Category> categories, Month month)
    {
        var counted = next.Counted.ToBuilder();
        void Add(string category) => counted.TryAdd(category, month);

        if (previous is null)
        {
            Add(TallyCategories.TotalVictims);
        }

        if (categories.Contains(Category.DomesticAbuse) || categories.Contains(Category.SexualOffence))
        {
            Add(TallyCategories.DaSexualOffences);
        }

        foreach (var category in TallyCategories.VictimCategories.Where(categories.Contains))
        {
            Add(TallyCategories.Victims(category));
        }

        if (next.EnhancedRights)
        {
            Add(TallyCategories.EnhancedRights);
        }

        Add(Of(next.ReferralStatus));
        if (next.VcuTasks.Contains(DeliveryKind.SingleSessionOffer))
        {
            Add(TallyCategories.SingleSessionOffers);
        }

        if (next.Contact.Email is { Status: MessageStatus.Suppressed, Reason: { } reason } && EmailDecision.Reasons.Contains(reason))
        {
            Add(TallyCategories.EmailSuppressed(reason));
        }

        if (HoldRule.IsHeld(next))
        {
            Add(TallyCategories.HeldContact);
        }

        return counted.ToImmutable();
    }

    /// <summary>
    /// The contact events of a victim's channels (rulebook 1.1 section 6), each once ever: informed by a channel (delivered;
    /// a letter accepted for printing and posting); failed by a channel; no safe channel (ContactNeeded). Counted in the
    /// month the channel was queued, else <paramref name="month"/>. With the first channel delivered, the working days from
    /// the recorded date to its delivery (Europe/London, in <paramref name="calendar"/>) are counted once, in one bucket
    /// (<see cref="TallyCategories.InformedAfter"/>) with <see cref="TallyCategories.InformedInWriting"/>, and within 1 and
    /// within 2 working days follow from that bucket. A victim whose row had no recorded date when first informed (written
    /// before it was kept) is counted by route only.
    /// </summary>
    /// <param name="learnt">The month of the change (default <paramref name="month"/>): a delivered message that failed after
    /// the fact (rulebook 1.2 section 12) counts <see cref="TallyCategories.InformedThenFailed"/> in it, not
    /// <see cref="TallyCategories.MessageFailed"/>, and nothing counted earlier moves.</param>
    public static ImmutableSortedDictionary<string, Month> ContactCounted(VictimState victim, Month month, WorkingDayCalendar calendar, Month? learnt = null)
    {
        var counted = victim.Counted.ToBuilder();
        var informedBefore = victim.Counted.Keys.Any(k => k.StartsWith(ComplianceView.WrittenRoutePrefix, StringComparison.Ordinal));
        (DateTimeOffset At, Month Month)? first = null;
        void Channel(Contact.Channel channel, ChannelProgress progress, Month? queued, DateTimeOffset? deliveredAt)
        {
            if (progress == ChannelProgress.Delivered)
            {
                counted.TryAdd(TallyCategories.InformedBy(channel), queued ?? month);
                if (deliveredAt is { } at && (first is null || at < first.Value.At))
                {
                    first = (at, queued ?? month);
                }
            }
            else if (ContactRule.FailedAfterDelivery(victim, channel))
            {
                counted.TryAdd(TallyCategories.InformedThenFailed(channel), learnt ?? month);
            }
            else if (progress == ChannelProgress.Failed)
            {
                counted.TryAdd(TallyCategories.MessageFailed(channel), queued ?? month);
            }
        }

        foreach (var channel in Contact.ChannelNames.InOrder)
        {
            var message = victim.Contact[channel];
            Channel(channel, ContactRule.Of(message.Status), message.Month, message.DeliveredAt);
        }

        if (first is { } delivered && !informedBefore && !victim.Counted.Keys.Any(k => k.StartsWith(TallyCategories.InformedAfterPrefix, StringComparison.Ordinal)))
        {
            // A row from before the recorded date was kept is in no bucket and no "within" figure: each is a sum of the
            // buckets, exactly, so that small-number suppression reasons from true equations.
            if (victim.RecordedOn is { } recordedOn)
            {
                var days = calendar.WorkingDaysTo(recordedOn, London.DateOf(delivered.At), TallyCategories.InformedAfterOpenBucket);
                counted.TryAdd(TallyCategories.InformedAfterWorkingDays(days), delivered.Month);
                counted.TryAdd(TallyCategories.InformedInWriting, delivered.Month);
                counted.TryAdd(TallyCategories.Informed, delivered.Month);
                if (days <= 1)
                {
                    counted.TryAdd(TallyCategories.InformedWithinOneWorkingDay, delivered.Month);
                }

                if (days <= ReferralRules.ReferralWorkingDays)
                {
                    counted.TryAdd(TallyCategories.InformedWithinTwoWorkingDays, delivered.Month);
                }
            }
        }

        if (victim.VcuTasks.Contains(DeliveryKind.ContactNeeded))
        {
            counted.TryAdd(TallyCategories.ContactNeeded, month);
        }

        // Rulebook 1.2 section 12: informed in person (a ContactNeeded task done InformedInPerson) is the route InPerson,
        // counted in Informed (any route) unless the victim was already counted there, never in InformedInWriting.
        if (victim.Tasks.Tasks.FirstOrDefault(t => t.Outcome == Tasks.TaskOutcome.InformedInPerson) is { ClosedAt: { } inPerson })
        {
            counted.TryAdd(TallyCategories.InPerson, Month.Of(inPerson));
            if (!counted.ContainsKey(TallyCategories.InformedInWriting))
            {
                counted.TryAdd(TallyCategories.Informed, Month.Of(inPerson));
            }
        }

        return counted.ToImmutable();
    }

    /// <summary>The events a change gave that the state before it had not: what is recorded after the commit.</summary>
    public static IEnumerable<TallyEvent> Between(VictimState? previous, VictimState next) =>
        next.Counted.Where(e => previous is null || !previous.Counted.Contains(e)).Select(e => new TallyEvent(e.Value, e.Key, next.Subject));

    private static string Of(ReferralStatus status) => status switch
    {
        ReferralStatus.AutoReferred => TallyCategories.OptOutAutoReferrals,
        ReferralStatus.Referred => TallyCategories.AcceptedAndReferred,
        ReferralStatus.ConvertedToYes => TallyCategories.ConvertedToYes,
        ReferralStatus.Declined => TallyCategories.DeclinedSupport,
        ReferralStatus.OptedOut => TallyCategories.OptedOut,
        ReferralStatus.AwaitingConsent => TallyCategories.AwaitingConsent,
        ReferralStatus.Withdrawn => TallyCategories.Withdrawn,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
