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
        if (VictimEntries.Locate(message) is not var (arrayStart, arrayEnd, victims))
        {
            return null;
        }

        var copies = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (start, end, id) in victims)
        {
            byte[] copy = [.. message[..arrayStart], (byte)'[', .. message[start..end], (byte)']', .. message[arrayEnd..]];
            if (id is null || !copies.TryAdd(id, copy))
            {
                return null;
            }
        }

        return copies;
    }
}
