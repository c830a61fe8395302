using System.Text.Json;

namespace Referrals.Contract;

/// <summary>One entry of a snapshot's <c>victims</c> array: its byte range in the message, and its id when it has one.</summary>
public readonly record struct VictimEntry(int Start, int End, string? Id);

/// <summary>
/// Where a snapshot's top-level <c>victims</c> array and each of its entries are in the message's bytes, so that a
/// copy can be cut from the raw bytes (never decoded and written again, so every other byte stays as received). The
/// parser refuses a repeated property name, so an accepted snapshot has one such array.
/// </summary>
public static class VictimEntries
{
    /// <summary>The array's range and its entries; null when the message is not an object or has no <c>victims</c> array.</summary>
    /// <exception cref="JsonException">The message is not JSON.</exception>
    public static (int Start, int End, IReadOnlyList<VictimEntry> Entries)? Locate(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVictims = reader.ValueTextEquals("victims"u8);
            reader.Read();
            if (!isVictims || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            var arrayStart = (int)reader.TokenStartIndex;
            var entries = new List<VictimEntry>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                using var entry = JsonDocument.ParseValue(ref reader);
                var id = entry.RootElement.ValueKind == JsonValueKind.Object && entry.RootElement.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
                entries.Add(new VictimEntry(start, (int)reader.BytesConsumed, id));
            }

            return (arrayStart, (int)reader.BytesConsumed, entries);
        }

        return null;
    }
}
