using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Referrals.Forwarding;

/// <summary>
/// The id a service knows a referral by and reports its outcomes with (rulebook 1.2 section 11): "R-" and 25 random
/// characters of Crockford's base32 in five groups (125 bits), e.g. R-7KQ3M-9XD2A-… Nothing about the crime or the
/// victim is in it and it cannot be guessed, so it can go into a URL, a file or a log line. A self-locating id (issue 24,
/// <see cref="Located"/>) has the same shape: its first group names the month index partition its row is in (month and
/// bucket, nothing about the crime), the other four 100 bits of a keyed hash, so the ingest writes that row in a
/// transaction it makes anyway and the referral costs no request of its own.
/// </summary>
public static partial class PublicReferralIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<byte> random = stackalloc byte[25];
        RandomNumberGenerator.Fill(random);
        var chars = new char[25];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random[i] % 32];
        }

        var s = new string(chars);
        return $"R-{s[..5]}-{s[5..10]}-{s[10..15]}-{s[15..20]}-{s[20..]}";
    }

    /// <summary>The first month a self-locating id can name: its first four characters count months from it.</summary>
    public static readonly Tallies.Month Origin = new(2000, 1);

    /// <summary>How many buckets a month's partitions have (the month index's).</summary>
    public const int Buckets = 16;

    /// <summary>A self-locating id: month (4 characters, months since <see cref="Origin"/>) and bucket (1), then 20 characters of <paramref name="mac"/> (at least 20 bytes).</summary>
    public static string Located(Tallies.Month month, int bucket, ReadOnlySpan<byte> mac)
    {
        var months = (month.Year - Origin.Year) * 12 + month.Number - 1;
        ArgumentOutOfRangeException.ThrowIfNegative(months, nameof(month));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month.Year, 9999, nameof(month));
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, Buckets);
        ArgumentOutOfRangeException.ThrowIfLessThan(mac.Length, 20, nameof(mac));
        var chars = new char[25];
        for (var i = 0; i < 4; i++)
        {
            chars[i] = Alphabet[(months >> (5 * (3 - i))) & 31];
        }

        chars[4] = Alphabet[bucket];
        for (var i = 0; i < 20; i++)
        {
            chars[5 + i] = Alphabet[mac[i] % 32];
        }

        var s = new string(chars);
        return $"R-{s[..5]}-{s[5..10]}-{s[10..15]}-{s[15..20]}-{s[20..]}";
    }

    /// <summary>
    /// Where a self-locating id's row would be (month and bucket), or why the id cannot name one (then it can only be an
    /// id issued before issue 24, kept in table ReferralIds). A random id may decode to a place too: its row is not there.
    /// </summary>
    public static IdPlace PlaceOf(string? typed)
    {
        if (Normalise(typed) is not { } id)
        {
            return IdPlace.Not("not a public id");
        }

        var months = 0;
        for (var i = 0; i < 4; i++)
        {
            months = (months << 5) | Alphabet.IndexOf(id[2 + i], StringComparison.Ordinal);
        }

        var bucket = Alphabet.IndexOf(id[6], StringComparison.Ordinal);
        if (bucket >= Buckets)
        {
            return IdPlace.Not("its fifth character is no bucket");
        }

        var year = Origin.Year + months / 12;
        return year > 9999 ? IdPlace.Not("its first four characters are no month") : new(new Tallies.Month(year, months % 12 + 1), bucket, null);
    }

    /// <summary>
    /// The months a later snapshot of the crime may have issued a referral another self-locating id, which nobody uses (a
    /// referral handed on again once its hold is lifted: the forwarder keeps the id the service already has): from the month
    /// of its own id (or, for an id issued the old way, of its delivery row) to the month of the crime's last snapshot,
    /// at most <see cref="MaxReissuableMonths"/>. The end of the audit period forgets the id each of them would name.
    /// </summary>
    public static IEnumerable<Tallies.Month> ReissuableIn(string? publicId, DateTimeOffset createdAt, DateTimeOffset lastStored)
    {
        var (month, last) = (PlaceOf(publicId).Month is { } own && own <= Tallies.Month.Of(createdAt) ? own : Tallies.Month.Of(createdAt), Tallies.Month.Of(lastStored));
        for (var n = 0; month <= last && n < MaxReissuableMonths; month = month.Next, n++)
        {
            yield return month;
        }
    }

    /// <summary>The most months <see cref="ReissuableIn"/> gives: a crime's snapshots over ten years.</summary>
    public const int MaxReissuableMonths = 120;

    /// <summary>An id as a person or a service may type it (any case, spaces around), in its stored form; null when it is not a public id.</summary>
    public static string? Normalise(string? typed) =>
        typed?.Trim().ToUpperInvariant() is { } id && Shape().IsMatch(id) ? id : null;

    [GeneratedRegex("^R(-[0-9A-HJKMNP-TV-Z]{5}){5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}

/// <summary>Where a self-locating id's row is (<see cref="PublicReferralIds.PlaceOf"/>), or why it names no place.</summary>
public sealed record IdPlace(Tallies.Month? Month, int Bucket, string? NotLocated)
{
    public static IdPlace Not(string reason) => new(null, 0, reason);
}
