namespace Referrals.Outcomes;

/// <summary>What a service reports about a referral it received (rulebook 1.2 section 11). Read and stored by name.</summary>
public enum ServiceStatus
{
    /// <summary>The referral is in the service's case system (acknowledgement).</summary>
    Received,

    /// <summary>The service's first attempt to reach the victim.</summary>
    ContactAttempted,

    /// <summary>The service spoke with the victim.</summary>
    Contacted,

    /// <summary>The victim accepted the service's support.</summary>
    SupportAccepted,

    /// <summary>The victim declined the service's support.</summary>
    SupportDeclined,

    /// <summary>With a reason (<see cref="CouldNotContactReason"/>), after the service's attempts.</summary>
    CouldNotContact,

    /// <summary>The service judged that contacting the victim is not safe.</summary>
    ContactUnsafe,

    /// <summary>The service closed its case.</summary>
    Closed,
}

/// <summary>Why a service could not contact the victim: only <see cref="ServiceStatus.CouldNotContact"/> takes one.</summary>
public enum CouldNotContactReason
{
    WrongDetails,
    NoResponse,
}

/// <summary>One report: a status, its reason where the rulebook asks for one, and when it happened (as the service says).</summary>
public sealed record OutcomeReport(ServiceStatus Status, CouldNotContactReason? Reason, DateTimeOffset At)
{
    /// <summary>What the report is, as a code: the status, and ":" and the reason for CouldNotContact (e.g. "CouldNotContact:WrongDetails").</summary>
    public string Code => Reason is { } reason ? $"{Status}:{reason}" : Status.ToString();
}
