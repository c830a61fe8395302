using System.Text.Json;

namespace Referrals.Pipeline.Tests;

/// <summary>Synthetic one-victim snapshots reachable only by text message and/or letter (no email), for the GOV.UK Notify tests.</summary>
internal static class ContactSnapshots
{
    private static readonly string[] AddressLines = ["12 Example Street", "Matlock"];

    /// <param name="phone">A mobile number confirmed safe, or null for none.</param>
    /// <param name="address">Whether the victim has a postal address confirmed safe.</param>
    /// <param name="street">The address's first line (default "12 Example Street").</param>
    /// <param name="email">An email address confirmed safe, or null for none.</param>
    public static string Json(string crime, string? phone, bool address, string eventId, long version = 1, string? street = null, string? email = null) => JsonSerializer.Serialize(new
    {
        schemaVersion = 1,
        eventId,
        sentAt = "2026-10-05T09:14:00Z",
        crime = new { reference = crime, version, recordedAt = "2026-10-05T08:50:00+01:00", offence = new { homeOfficeCode = "28E", description = "" }, flags = Array.Empty<string>() },
        victims = new[]
        {
            new Dictionary<string, object?>
            {
                ["id"] = "V1",
                ["givenName"] = "Sam",
                ["familyName"] = "Taylor",
                ["support"] = "NotAsked",
                ["email"] = email,
                ["emailSafe"] = email is null ? null : true,
                ["phone"] = phone,
                ["phoneSafe"] = phone is null ? null : true,
                ["address"] = address ? new { lines = street is null ? AddressLines : [street, AddressLines[1]], postcode = "DE4 3AG" } : null,
                ["addressSafe"] = address ? true : null,
            },
        },
    });
}
