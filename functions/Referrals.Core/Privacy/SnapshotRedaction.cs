using Referrals.Contract;

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

        if (VictimEntries.Locate(payload) is not var (start, end, entries))
        {
            return payload;
        }

        var kept = entries.Where(e => e.Id is null || !erased.Contains(e.Id)).ToList();
        if (kept.Count == entries.Count)
        {
            return payload;
        }

        if (kept.Count == 0)
        {
            return [];
        }

        using var output = new MemoryStream(payload.Length);
        output.Write(payload, 0, start);
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
        output.Write(payload, end, payload.Length - end);
        return output.ToArray();
    }
}
