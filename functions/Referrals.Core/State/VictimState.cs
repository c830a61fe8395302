using System.Collections.Immutable;
using Referrals.Contact;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.State;

/// <summary>
/// What the pipeline knows and has done for one victim of one crime, across every snapshot so far. The sets only
/// ever grow: services referred, Victim Care Unit tasks raised and tally events counted (category → month), each once ever.
/// </summary>
/// <param name="Referral">This version's decision (rulebook section 3).</param>
/// <param name="ReferralStatus">The decision in the light of history: adds ConvertedToYes and Withdrawn.</param>
/// <param name="Contact">The contact plan, the entitlement message on each channel, and HoldContact.</param>
/// <param name="RecordedOn">The crime's recorded date (Europe/London), which the time to inform counts from; null in a row
/// written before it was kept (such a victim is not counted in the working-days figures).</param>
/// <param name="VcuTasks">The kinds of Victim Care Unit task ever raised (grow-only: what the tallies count once); the tasks themselves are <see cref="Tasks"/>.</param>
/// <param name="TaskBook">Rulebook 1.2 section 10: the victim's tasks with their lifecycle (<see cref="Tasks"/>); null in a row written before it was kept.</param>
/// <param name="Consent">Rulebook 1.2 section 10: the decision about referral in force and the last snapshot's support; null in a row written before it was kept.</param>
/// <param name="Outcomes">Rulebook 1.2 section 11: what each referred service reported (<see cref="Reports"/>); null before any report.</param>
public sealed record VictimState(
    string CrimeReference,
    string VictimId,
    long FirstSeenVersion,
    long Version,
    Pathway Pathway,
    ReferralOutcome Referral,
    ReferralStatus ReferralStatus,
    ImmutableSortedSet<string> ReferredServices,
    ImmutableSortedSet<string> EligibleServices,
    bool SingleSessionOffer,
    bool EnhancedRights,
    bool Child,
    DateOnly ReferralDueBy,
    ImmutableSortedSet<DeliveryKind> VcuTasks,
    ImmutableSortedDictionary<string, Month> Counted,
    DateTimeOffset UpdatedAt,
    ContactState Contact,
    DateOnly? RecordedOn = null,
    TaskBook? TaskBook = null,
    ConsentInForce? Consent = null,
    Outcomes.OutcomeBook? Outcomes = null)
{
    /// <summary>What the referred services reported, by service.</summary>
    public Outcomes.OutcomeBook Reports => Outcomes ?? Referrals.Outcomes.OutcomeBook.Empty;

    /// <summary>The victim's Victim Care Unit tasks, oldest first.</summary>
    public TaskBook Tasks => TaskBook ?? TaskBook.Empty;

    /// <summary>What a tally event of this victim is about: deterministic, no personal data.</summary>
    public string Subject => $"{CrimeReference}:{VictimId}";

    /// <summary>The state with <paramref name="message"/> as its message on <paramref name="channel"/>.</summary>
    public VictimState With(Channel channel, MessageState message) => this with { Contact = Contact.With(channel, message) };
}

/// <summary>One delivery (referral, withdrawal or Victim Care Unit task) to one service, and how far it has got.</summary>
/// <param name="Month">The Europe/London month the delivery counts in: that of the snapshot that asked for it.</param>
/// <param name="Counted">The tally events this delivery has given (category → month), each once ever.</param>
/// <param name="TaskId">For a Victim Care Unit task's notice or its withdrawal notice: the task (<see cref="Tasks.VcuTask"/>).</param>
/// <param name="PublicId">For a referral: the opaque id the service reports its outcomes by (<see cref="PublicReferralIds"/>); null in a row written before there were any.</param>
public sealed record DeliveryState(
    string Id,
    DeliveryKind Kind,
    string CrimeReference,
    string VictimId,
    string ServiceId,
    string Channel,
    DeliveryStatus Status,
    string? Reason,
    Month Month,
    DateOnly? DueBy,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AttemptedAt = null,
    DateTimeOffset? DeliveredAt = null,
    bool? OnTime = null,
    int? HttpStatus = null,
    string? TaskId = null,
    string? PublicId = null);
