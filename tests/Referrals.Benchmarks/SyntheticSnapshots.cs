using System.Globalization;
using System.Text.Json.Nodes;

namespace Referrals.Benchmarks;

/// <summary>
/// Synthetic crime snapshots for benchmarks: a mix of offences and victims in the proportions the
/// pipeline sees (mostly opt-out, about a fifth domestic abuse or sexual offences, a few bad lines).
/// Names and addresses are obviously fake.
/// </summary>
public static class SyntheticSnapshots
{
    private static readonly string[] OrdinaryCodes = ["28E", "49", "46", "58C", "105A", "8N", "34B", "39", "45", "44"];
    private static readonly string[] SpecialCodes = ["19C", "20A", "8Q", "8L", "4.8"];

    public static string Line(int i)
    {
        if (i % 100 == 99)
        {
            return $$"""{"schemaVersion":1,"eventId":"bad-{{i}}","this line":"is broken""";
        }

        var domesticAbuse = i % 10 < 2;
        var code = domesticAbuse ? OrdinaryCodes[i % OrdinaryCodes.Length] : i % 17 == 0 ? SpecialCodes[i % SpecialCodes.Length] : OrdinaryCodes[i % OrdinaryCodes.Length];
        var victims = new JsonArray();
        for (var v = 1; v <= 1 + (i % 5 == 0 ? 1 : 0); v++)
        {
            victims.Add(new JsonObject
            {
                ["id"] = $"V{v}",
                ["givenName"] = "Test",
                ["familyName"] = $"Person{i}",
                ["dateOfBirth"] = i % 13 == 0 ? "2014-05-01" : "1985-05-01",
                ["email"] = $"person{i}.{v}@example.org",
                ["emailSafe"] = i % 3 == 0 ? null : true,
                ["support"] = (i % 7) switch { 0 => "Declined", 1 or 2 => "Accepted", _ => "NotAsked" },
                ["parentOrGuardian"] = i % 13 == 0 ? new JsonObject { ["name"] = "Guardian", ["email"] = $"guardian{i}@example.org", ["emailSafe"] = true, ["isSuspect"] = false } : null,
            });
        }

        var recorded = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.FromHours(1)).AddMinutes(i % 43_200);
        return new JsonObject
        {
            ["schemaVersion"] = 1,
            ["eventId"] = $"00000000-0000-0000-0000-{i:D12}",
            ["sentAt"] = recorded.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture),
            ["crime"] = new JsonObject
            {
                ["reference"] = $"DB/26/{i:D6}",
                ["version"] = 1,
                ["recordedAt"] = recorded.ToString("O", CultureInfo.InvariantCulture),
                ["offence"] = new JsonObject { ["homeOfficeCode"] = code, ["description"] = "Synthetic offence for benchmarking" },
                ["flags"] = domesticAbuse ? new JsonArray("DomesticAbuse") : new JsonArray(),
                ["officerInCase"] = new JsonObject { ["name"] = "PC 0000 Example", ["email"] = "oic@police.example" },
            },
            ["victims"] = victims,
        }.ToJsonString();
    }

    public static void WriteFile(string path, int count)
    {
        using var writer = new StreamWriter(path);
        for (var i = 0; i < count; i++)
        {
            writer.WriteLine(Line(i));
        }
    }
}
