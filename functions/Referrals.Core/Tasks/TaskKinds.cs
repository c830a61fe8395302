namespace Referrals.Tasks;

/// <summary>What the Victim Care Unit is asked to do (rulebook 1.2 section 10).</summary>
public enum TaskKind
{
    /// <summary>A consent-pathway victim's support is NotAsked: ask them whether they want to be referred.</summary>
    ConsentRequest,

    /// <summary>A consent-pathway victim declined: offer them a single support session.</summary>
    SingleSessionOffer,

    /// <summary>No safe channel is left for the entitlement information: a person reaches the victim.</summary>
    ContactNeeded,

    /// <summary>A service could not reach the victim for one referral (wrong details, or contact unsafe): per referral.</summary>
    ServiceCouldNotContact,
}

/// <summary>A task's life: open, claimed by a named operator (who can release it), done with an outcome, or withdrawn with the reason.</summary>
public enum TaskState
{
    Open,
    Claimed,
    Done,
    Withdrawn,
}

/// <summary>What the Unit records when it closes a task (rulebook section 10, "Outcomes the Unit records").</summary>
public enum TaskOutcome
{
    /// <summary>ConsentRequest: the victim consented to referral (as if a snapshot recorded support Accepted).</summary>
    Consented,

    /// <summary>ConsentRequest: the victim declined referral; SingleSessionOffer: the victim declined the session.</summary>
    Declined,

    /// <summary>Any kind: the Unit could not reach the victim; nothing further is automated.</summary>
    NotReached,

    /// <summary>SingleSessionOffer: the victim accepted the single session.</summary>
    Accepted,

    /// <summary>ContactNeeded: the entitlement information was given by phone or in person (the route InPerson).</summary>
    InformedInPerson,

    /// <summary>ServiceCouldNotContact: the Unit gave the service correct details or a safe way to reach the victim.</summary>
    DetailsPassedToService,

    /// <summary>ServiceCouldNotContact: the Unit reached the victim itself.</summary>
    ReachedByUnit,
}

/// <summary>Why a task was withdrawn: it became moot (rulebook section 10), or its victim left the crime or was erased.</summary>
public enum TaskWithdrawal
{
    /// <summary>ConsentRequest: the victim's decision is recorded (by a snapshot or by the Unit).</summary>
    DecisionRecorded,

    /// <summary>ConsentRequest: the victim is no longer on the consent pathway (a later snapshot), so consent is not sought.</summary>
    NoLongerConsentPathway,

    /// <summary>SingleSessionOffer: the victim later accepted referral (ConvertedToYes).</summary>
    ConvertedToYes,

    /// <summary>SingleSessionOffer: a later snapshot no longer records the victim as declining (docs/architecture.md, "The rules").</summary>
    NoLongerDeclined,

    /// <summary>ContactNeeded: the entitlement information was delivered by a channel.</summary>
    Informed,

    /// <summary>ServiceCouldNotContact: the service later reported Contacted.</summary>
    ServiceContacted,

    /// <summary>Every kind: the victim is not in the crime's latest snapshot.</summary>
    NotInLatestSnapshot,

    /// <summary>Every kind: an operator erased the victim's personal data.</summary>
    Erased,

    /// <summary>Every kind: the retention function removed the victim's personal data, so nobody can act on the task.</summary>
    Purged,
}

/// <summary>The outcomes each kind of task can be closed with (rulebook section 10).</summary>
public static class TaskOutcomes
{
    public static IReadOnlyList<TaskOutcome> For(TaskKind kind) => kind switch
    {
        TaskKind.ConsentRequest => [TaskOutcome.Consented, TaskOutcome.Declined, TaskOutcome.NotReached],
        TaskKind.SingleSessionOffer => [TaskOutcome.Accepted, TaskOutcome.Declined, TaskOutcome.NotReached],
        TaskKind.ContactNeeded => [TaskOutcome.InformedInPerson, TaskOutcome.NotReached],
        TaskKind.ServiceCouldNotContact => [TaskOutcome.DetailsPassedToService, TaskOutcome.ReachedByUnit, TaskOutcome.NotReached],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool Allows(TaskKind kind, TaskOutcome outcome) => For(kind).Contains(outcome);
}
