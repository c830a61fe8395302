using Referrals.Contact;
using Referrals.Forwarding;

namespace Referrals.Indexes;

/// <summary>
/// A row of the month index (docs/architecture.md, "Indexes"): what a periodic job or an endpoint reads instead of scanning
/// the state table. Each lives in the month of its own time (and a bucket of its crime), so a job reads the months its
/// work falls in and nothing else. Derived from a change's state (<see cref="IndexRule"/>), never stored alone: the
/// state row is the truth, and writing an entry twice changes nothing.
/// </summary>
public abstract record IndexEntry(string CrimeReference)
{
    /// <summary>The instant that places the entry in a month.</summary>
    public abstract DateTimeOffset At { get; }
}

/// <summary>A snapshot of the crime was stored at <paramref name="UpdatedAt"/>: its personal data is due for removal a retention period later.</summary>
public sealed record CrimeStored(string CrimeReference, DateTimeOffset UpdatedAt) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => UpdatedAt;
}

/// <summary>
/// The provider accepted a message at <paramref name="SentAt"/>: GOV.UK Notify a text message or letter (the Notify status
/// timer asks after it), SendGrid an email (given up as unsettled when no final event can come any more,
/// <see cref="State.AcceptedEmailRule"/>); <paramref name="Settled"/> once its status is final or unsettled (or the send is
/// no longer the latest).
/// </summary>
public sealed record StatusCheck(string CrimeReference, string VictimId, Channel Channel, DateTimeOffset SentAt, bool Settled) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => SentAt;
}

/// <summary>
/// A message whose outcome is unknown since its send at <paramref name="AttemptedAt"/>: the status timer settles it from the
/// provider's records (rulebook 1.2 section 6, <see cref="State.UnknownRule"/>). Written unsettled only; the timer marks the
/// row settled when it finds the message settled or sent again.
/// </summary>
public sealed record UnknownCheck(string CrimeReference, string VictimId, Channel Channel, DateTimeOffset AttemptedAt) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => AttemptedAt;
}

/// <summary>
/// Work due at <paramref name="DueAt"/> (for a referral: the first instant it would be late), by kind: the deadline watch
/// reads referrals, a worklist its tasks. <paramref name="Settled"/> is null when the entry is written by the side that
/// does not know (the victim's state asks for a referral; only its delivery knows when it is done). <paramref name="Delivery"/>:
/// the delivery's status once settled, written by the delivery side only (issue 29: the deadline watch tells a delivered
/// referral from the index alone).
/// </summary>
public sealed record DueWork(string Kind, string Id, string CrimeReference, string VictimId, string ServiceId, DateTimeOffset DueAt, bool? Settled, State.DeliveryStatus? Delivery = null) : IndexEntry(CrimeReference)
{
    public const string Referral = "referral";

    public override DateTimeOffset At => DueAt;
}

/// <summary>A delivery reached its service at <paramref name="DeliveredAt"/>: the services' figures by the month it arrived.</summary>
public sealed record Delivered(string Id, DeliveryKind Kind, string CrimeReference, string VictimId, string ServiceId, DateTimeOffset DeliveredAt, DateOnly? DueBy, bool? OnTime) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => DeliveredAt;
}

/// <summary>
/// The crime's index outbox was opened at <paramref name="OpenedAt"/> (a snapshot stored): the steps that follow put their
/// index rows in the crime's own partition, in their own transaction, until the drain applies them and closes it.
/// </summary>
public sealed record OutboxOpened(string CrimeReference, DateTimeOffset OpenedAt) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => OpenedAt;
}

/// <summary>
/// A referral's self-locating public id (<see cref="PublicReferralIds.Located"/>), issued with the snapshot stored at
/// <paramref name="IssuedAt"/> that hands the referral on: its row is in the partition the id names, written in the ingest's
/// index transaction before the referral is queued, so a service's report finds the referral by one point read.
/// </summary>
public sealed record ReferralIssued(string PublicId, string CrimeReference, string VictimId, string ServiceId, DateTimeOffset IssuedAt) : IndexEntry(CrimeReference)
{
    public override DateTimeOffset At => IssuedAt;
}
