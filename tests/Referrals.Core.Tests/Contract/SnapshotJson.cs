using System.Text.Json.Nodes;

namespace Referrals.Tests.Contract;

/// <summary>A valid synthetic snapshot as JSON, to break one field at a time.</summary>
internal static class SnapshotJson
{
    public const string Valid = """
        {
          "schemaVersion": 1,
          "eventId": "0f8d6a4e-2b1c-4f7e-9a51-3c2d1e0b9f77",
          "sentAt": "2026-10-05T09:14:00Z",
          "crime": {
            "reference": "DB/26/104233",
            "version": 1,
            "recordedAt": "2026-10-05T08:50:00+01:00",
            "offence": { "homeOfficeCode": "8N", "description": "Assault with injury" },
            "flags": ["DomesticAbuse"],
            "officerInCase": { "name": "PC 4821 Khan", "email": "oic.4821@police.example", "phone": "101" }
          },
          "victims": [
            {
              "id": "V1",
              "title": "Ms",
              "givenName": "Alex",
              "familyName": "Morgan",
              "dateOfBirth": "1991-03-14",
              "email": "alex.morgan@example.org",
              "emailSafe": true,
              "phone": "07700 900123",
              "phoneSafe": true,
              "preferredLanguage": "en",
              "vulnerable": false,
              "intimidated": false,
              "bereavedRelative": false,
              "support": "NotAsked",
              "parentOrGuardian": null
            }
          ]
        }
        """;

    /// <summary>The valid snapshot with one change made to its JSON tree.</summary>
    public static string With(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Valid)!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    public static JsonObject Crime(this JsonObject root) => root["crime"]!.AsObject();

    public static JsonObject Victim(this JsonObject root, int index = 0) => root["victims"]![index]!.AsObject();
}
