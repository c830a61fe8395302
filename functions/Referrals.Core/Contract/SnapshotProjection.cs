using System.Text.Json;

namespace Referrals.Contract;

/// <summary>
/// One victim's copy of a snapshot: the message's own bytes with the <c>victims</c> array cut down to that victim, so
/// the copy parses to the same crime and the same victim (the parser reads each victim on its own) and is never larger
/// than the message. The email and referral steps read it from the victim's row instead of the crime's whole snapshot.
/// </summary>
public static class SnapshotProjection
{
    /// <summary>Each victim's copy, by victim id; null when the message is not a snapshot this parser accepted.</summary>
    public static IReadOnlyDictionary<string, byte[]>? PerVictim(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith("\uFEFF"u8))
        {
            message = message[3..];
        }

        try
        {
            return Cut(message);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, byte[]>? Cut(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 16 });
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
            var victims = new List<(int Start, int End)>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                victims.Add((start, (int)reader.BytesConsumed));
            }

            return Copies(message, arrayStart, (int)reader.BytesConsumed, victims);
        }

        return null;
    }

    private static Dictionary<string, byte[]>? Copies(ReadOnlySpan<byte> message, int arrayStart, int arrayEnd, List<(int Start, int End)> victims)
    {
        var copies = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (start, end) in victims)
        {
            var victim = message[start..end];
            using var document = JsonDocument.Parse(victim.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            byte[] copy = [.. message[..arrayStart], (byte)'[', .. victim, (byte)']', .. message[arrayEnd..]];
            if (!copies.TryAdd(id.GetString()!, copy))
            {
                return null;
            }
        }

        return copies;
    }
}
