namespace Referrals.Outcomes;

/// <summary>The statuses and reasons of rulebook 1.2 section 11 read by their exact names (never Enum.Parse: no numbers, no case folding).</summary>
public static class OutcomeCodes
{
    public static ServiceStatus? Status(string? name) =>
        Enum.GetValues<ServiceStatus>().Cast<ServiceStatus?>().FirstOrDefault(s => string.Equals(s.ToString(), name, StringComparison.Ordinal));

    public static CouldNotContactReason? Reason(string? name) =>
        Enum.GetValues<CouldNotContactReason>().Cast<CouldNotContactReason?>().FirstOrDefault(r => string.Equals(r.ToString(), name, StringComparison.Ordinal));

    /// <summary>The status of a stored code ("CouldNotContact:WrongDetails" → CouldNotContact).</summary>
    public static ServiceStatus StatusOf(string code) =>
        Status(code.Split(':')[0]) ?? throw new FormatException("A stored outcome code is not a status of rulebook section 11.");
}
