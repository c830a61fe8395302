using System.Text.Json;

namespace Referrals.Privacy;

/// <summary>A snapshot as stored once some of its victims were erased: their entries are cut out, every other byte kept as received.</summary>
public static class SnapshotRedaction
{
    /// <summary>
    /// The snapshot without the victims listed; empty when none would be left (a snapshot lists at least one victim,
    /// so nothing is stored rather than something that does not parse). The payload has parsed already. Entries are
    /// cut from the raw bytes, never decoded and written again, so whatever the other victims' text holds is kept exactly.
    /// </summary>
    public static byte[] Without(byte[] payload, IReadOnlySet<string> erased)
    {
        if (erased.Count == 0 || payload.Length == 0)
        {
            return payload;
        }

        var arrays = VictimArrays(payload, erased);
        if (arrays.All(a => a.Kept.Count == a.Entries))
        {
            return payload;
        }

        if (arrays.Any(a => a.Kept.Count == 0))
        {
            return [];
        }

        using var output = new MemoryStream(payload.Length);
        var at = 0;
        foreach (var (start, end, kept, _) in arrays)
        {
            output.Write(payload, at, start - at);
            output.WriteByte((byte)'[');
            for (var i = 0; i < kept.Count; i++)
            {
                if (i > 0)
                {
                    output.WriteByte((byte)',');
                }

                output.Write(payload, kept[i].Start, kept[i].End - kept[i].Start);
            }

            output.WriteByte((byte)']');
            at = end;
        }

        output.Write(payload, at, payload.Length - at);
        return output.ToArray();
    }

    /// <summary>Each top-level "victims" array (a repeated name included): where it is, and the byte ranges of the entries kept.</summary>
    private static List<(int Start, int End, List<(int Start, int End)> Kept, int Entries)> VictimArrays(byte[] payload, IReadOnlySet<string> erased)
    {
        var arrays = new List<(int, int, List<(int, int)>, int)>();
        var reader = new Utf8JsonReader(payload);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVictims = reader.ValueTextEquals("victims"u8);
            reader.Read();
            if (!isVictims || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            var start = (int)reader.TokenStartIndex;
            var kept = new List<(int, int)>();
            var entries = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var entryStart = (int)reader.TokenStartIndex;
                using var entry = JsonDocument.ParseValue(ref reader);
                entries++;
                if (!IsErased(entry.RootElement, erased))
                {
                    kept.Add((entryStart, (int)reader.BytesConsumed));
                }
            }

            arrays.Add((start, (int)reader.BytesConsumed, kept, entries));
        }

        return arrays;
    }

    private static bool IsErased(JsonElement victim, IReadOnlySet<string> erased) =>
        victim.ValueKind == JsonValueKind.Object && victim.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
        && erased.Any(id.ValueEquals);
}
