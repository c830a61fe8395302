namespace Referrals.Pipeline.Tests;

internal static class Samples
{
    public static readonly string[] Lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl"));

    /// <summary>The samples' expected end state: (crime, victim) → (referral status, email status, email reason).</summary>
    public static readonly Dictionary<(string Crime, string Victim), (string Referral, string Email, string? Reason)> ExpectedStates = new()
    {
        [("DB/26/000101", "V1")] = ("Withdrawn", "Sent", null),
        [("DB/26/000102", "V1")] = ("Referred", "Sent", null),
        [("DB/26/000103", "V1")] = ("ConvertedToYes", "Sent", null),
        [("DB/26/000104", "V1")] = ("OptedOut", "Sent", null),
        [("DB/26/000105", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000106", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000107", "V1")] = ("AwaitingConsent", "Sent", null),
        [("DB/26/000108", "V1")] = ("AwaitingConsent", "Suppressed", "NotConfirmedSafe"),
        [("DB/26/000109", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000110", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000110", "V2")] = ("OptedOut", "Suppressed", "NoEmailAddress"),
        [("DB/26/000110", "V3")] = ("AutoReferred", "Suppressed", "UnsafeToContact"),
        [("DB/26/000111", "V1")] = ("AutoReferred", "Suppressed", "NoEmailAddress"),
        [("DB/26/000112", "V1")] = ("AutoReferred", "Suppressed", "NoEmailAddress"),
        [("DB/26/000113", "V1")] = ("Referred", "Suppressed", "NotConfirmedSafe"),
        [("DB/26/000114", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000115", "V1")] = ("AutoReferred", "Sent", null),
        [("DB/26/000116", "V1")] = ("AutoReferred", "Suppressed", "NoEmailAddress"),
        [("DB/26/000117", "V1")] = ("AutoReferred", "Suppressed", "NoEmailAddress"),
        [("DB/26/000120", "V1")] = ("AutoReferred", "Sent", null), // issue 22: delivered, then an asynchronous bounce (with receipts)
        [("DB/26/000121", "V1")] = ("AutoReferred", "Suppressed", "NoEmailAddress"), // issue 22: a letter returned on a local run
    };

    public static IEnumerable<(string Crime, string Victim)> ExpectedEmails =>
        ExpectedStates.Where(s => s.Value.Email == "Sent").Select(s => s.Key);
}
