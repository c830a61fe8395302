using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.State;

namespace Referrals.Indexes;

/// <summary>
/// Which index entries a state implies (<see cref="IndexEntry"/>), and which of them a change adds or alters: the entries
/// a write applies to the index after its transaction. The tally events of a change travel beside them (they are the
/// change's own). Pure: the same state always gives the same entries, so applying them again is harmless.
/// </summary>
public static class IndexRule
{
    /// <summary>A victim's entries: a status check per message its provider accepted, an unknown outcome to settle per message, and the deadline of each referral the state asks for.</summary>
    public static IEnumerable<IndexEntry> Of(VictimState victim)
    {
        foreach (var channel in ChannelNames.InOrder)
        {
            if (victim.Contact[channel] is { SentAt: { } sent } message && message.Status is not (MessageStatus.Queued or MessageStatus.Sending))
            {
                yield return new StatusCheck(victim.CrimeReference, victim.VictimId, channel, sent, message.Status != MessageStatus.Sent || UnknownRule.Unsettled(message));
            }
        }

        foreach (var channel in ChannelNames.InOrder)
        {
            if (victim.Contact[channel] is { AttemptedAt: { } attempted } message && UnknownRule.Unknown(message))
            {
                yield return new UnknownCheck(victim.CrimeReference, victim.VictimId, channel, attempted);
            }
        }

        foreach (var planned in WorkPlan.All(victim).Where(p => p.Kind == DeliveryKind.Referral))
        {
            yield return ReferralDue(victim.CrimeReference, victim.VictimId, planned.ServiceId, victim.ReferralDueBy, settled: null);
        }
    }

    /// <summary>
    /// A delivery's entries: a referral's deadline, settled once it is no longer waiting to be sent (with how it ended: a
    /// row's status counts only while it is settled, as a merge keeps an earlier one), and what was delivered.
    /// </summary>
    public static IEnumerable<IndexEntry> Of(DeliveryState delivery)
    {
        if (delivery is { Kind: DeliveryKind.Referral, DueBy: { } dueBy })
        {
            var settled = delivery.Status is not (DeliveryStatus.Pending or DeliveryStatus.Sending);
            yield return ReferralDue(delivery.CrimeReference, delivery.VictimId, delivery.ServiceId, dueBy, settled) with { Delivery = settled ? delivery.Status : null };
        }

        if (delivery is { Status: DeliveryStatus.Delivered, DeliveredAt: { } at })
        {
            yield return new Delivered(delivery.Id, delivery.Kind, delivery.CrimeReference, delivery.VictimId, delivery.ServiceId, at, delivery.DueBy, delivery.OnTime);
        }
    }

    /// <summary>
    /// A referral's row by its self-locating public id, rebuilt from its delivery (`referrals reindex`): only when the id is
    /// the one <paramref name="idOf"/> issues for the month it names (the ingest's, dated in that month so the row lands in
    /// the partition the id names). An id issued the old way, even one that happens to decode to a month, is in table
    /// ReferralIds, which the reindex leaves as it is: none.
    /// </summary>
    public static IEnumerable<ReferralIssued> Reissued(DeliveryState delivery, Func<DateTimeOffset, string, string> idOf)
    {
        if (delivery is { Kind: DeliveryKind.Referral, PublicId: { } id } && PublicReferralIds.PlaceOf(id) is { Month: { } month }
            && new DateTimeOffset(month.Year, month.Number, 15, 12, 0, 0, TimeSpan.Zero) is var storedAt
            && string.Equals(idOf(storedAt, delivery.Id), id, StringComparison.Ordinal))
        {
            yield return new ReferralIssued(id, delivery.CrimeReference, delivery.VictimId, delivery.ServiceId, storedAt);
        }
    }

    /// <summary>
    /// The referrals a snapshot stored at <paramref name="storedAt"/> hands on (<see cref="WorkPlan.Between"/>), each with the
    /// self-locating id <paramref name="idOf"/> gives its delivery id: the ingest indexes them, then queues each referral with it.
    /// </summary>
    public static IEnumerable<ReferralIssued> Issued(VictimState? previous, VictimState next, DateTimeOffset storedAt, Func<string, string> idOf) =>
        WorkPlan.Between(previous, next).Where(p => p.Kind == DeliveryKind.Referral).Select(p =>
            new ReferralIssued(idOf(DeliveryId.For(DeliveryKind.Referral, next.CrimeReference, next.VictimId, p.ServiceId)), next.CrimeReference, next.VictimId, p.ServiceId, storedAt));

    /// <summary>The entries of <paramref name="next"/> that <paramref name="previous"/> did not have as they are.</summary>
    public static IReadOnlyList<IndexEntry> Between(IEnumerable<IndexEntry> previous, IEnumerable<IndexEntry> next)
    {
        var before = previous.ToHashSet();
        return [.. next.Where(e => !before.Contains(e))];
    }

    /// <summary>The first instant a referral due by <paramref name="dueBy"/> (Europe/London) would be late.</summary>
    public static DateTimeOffset LateFrom(DateOnly dueBy) => dueBy == DateOnly.MaxValue ? DateTimeOffset.MaxValue : London.At(dueBy.AddDays(1), TimeOnly.MinValue);

    private static DueWork ReferralDue(string crimeReference, string victimId, string serviceId, DateOnly dueBy, bool? settled) =>
        new(DueWork.Referral, DeliveryId.For(DeliveryKind.Referral, crimeReference, victimId, serviceId), crimeReference, victimId, serviceId, LateFrom(dueBy), settled);
}
