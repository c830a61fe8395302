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
    /// <summary>
    /// The array's range and its entries, as offsets into <paramref name="message"/> (after a UTF-8 byte order mark, if
    /// it has one); null when the message is not an object or has no <c>victims</c> array.
    /// </summary>
    /// <exception cref="JsonException">The message is not JSON, or names <c>victims</c> twice: better to fail than to cut one list and keep the other.</exception>
    public static (int Start, int End, IReadOnlyList<VictimEntry> Entries)? Locate(ReadOnlySpan<byte> message)
    {
        var offset = message.StartsWith("\uFEFF"u8) ? 3 : 0;
        var reader = new Utf8JsonReader(message[offset..]);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        (int, int, IReadOnlyList<VictimEntry>)? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVictims = reader.ValueTextEquals("victims"u8);
            reader.Read();
            if (isVictims && found is not null)
            {
                throw new JsonException("The snapshot names victims twice.");
            }

            if (!isVictims || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            var arrayStart = offset + (int)reader.TokenStartIndex;
            var entries = new List<VictimEntry>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = offset + (int)reader.TokenStartIndex;
                using var entry = JsonDocument.ParseValue(ref reader);
                var id = entry.RootElement.ValueKind == JsonValueKind.Object && entry.RootElement.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
                entries.Add(new VictimEntry(start, offset + (int)reader.BytesConsumed, id));
            }

            found = (arrayStart, offset + (int)reader.BytesConsumed, entries);
        }

        return found;
    }
}
