using System.Text.Json;

namespace Referrals.Privacy;

/// <summary>A snapshot as stored once some of its victims were erased: their entries are gone, everything else is kept byte for byte in meaning.</summary>
public static class SnapshotRedaction
{
    /// <summary>
    /// The snapshot without the victims listed; empty when none would be left (a snapshot lists at least one victim,
    /// so nothing is stored rather than something that does not parse). The payload has parsed already.
    /// </summary>
    public static byte[] Without(byte[] payload, IReadOnlySet<string> erased)
    {
        if (erased.Count == 0 || payload.Length == 0)
        {
            return payload;
        }

        using var document = JsonDocument.Parse(payload);
        var victims = document.RootElement.TryGetProperty("victims", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        var kept = victims.Where(v => !(v.ValueKind == JsonValueKind.Object && v.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && erased.Contains(id.GetString()!))).ToList();
        if (kept.Count == victims.Count)
        {
            return payload;
        }

        if (kept.Count == 0)
        {
            return [];
        }

        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("victims"))
                {
                    writer.WriteStartArray(property.Name);
                    kept.ForEach(v => v.WriteTo(writer));
                    writer.WriteEndArray();
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return output.ToArray();
    }
}
