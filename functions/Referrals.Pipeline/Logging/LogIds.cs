using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;

namespace Referrals.Pipeline.Logging;

/// <summary>
/// Ids as they may be logged: as they are when they match the force's pattern for that kind of id (and are
/// printable ASCII), else <c>#h:</c> and the first 8 hex digits of an HMAC-SHA256 keyed by a setting, so a name
/// typed into an id field never reaches a log and the same id still reads the same in every line.
/// Use it for every id in a log line or in an exception message that the host logs.
/// </summary>
public sealed class LogIds
{
    private readonly Regex _reference;
    private readonly Regex _victim;
    private readonly Regex _event;
    private readonly byte[] _key;

    public LogIds(IOptions<LogRedactionOptions> options)
    {
        var settings = options.Value;
        _reference = Whole(settings.CrimeReferencePattern);
        _victim = Whole(settings.VictimIdPattern);
        _event = Whole(settings.EventIdPattern);
        _key = Encoding.UTF8.GetBytes(settings.HashKey);
    }

    public string Reference(string crimeReference) => Redact(crimeReference, _reference);

    public string Victim(string victimId) => Redact(victimId, _victim);

    public string Event(string eventId) => Redact(eventId, _event);

    /// <summary>A crime reference and a victim id, as they may be logged.</summary>
    public (string CrimeReference, string VictimId) Of(string crimeReference, string victimId) => (Reference(crimeReference), Victim(victimId));

    /// <summary>A delivery id built from the logged forms of its ids: the same shape as the real one, nothing personal.</summary>
    /// <param name="taskId">A Victim Care Unit task's notice: its id is opaque, so it is logged as it is when it is well formed.</param>
    public string Delivery(DeliveryKind kind, string crimeReference, string victimId, string serviceId, string? taskId = null) =>
        taskId is not null
            ? DeliveryId.For(kind, crimeReference, victimId, serviceId, Referrals.Tasks.TaskIds.Normalise(taskId) == taskId ? taskId : Hash(taskId))
            : DeliveryId.For(kind, Reference(crimeReference), Victim(victimId), Redact(serviceId, null));

    /// <summary>The hash form, for a value that may never be logged as it is.</summary>
    public string Hash(string value)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value));
        return "#h:" + Convert.ToHexStringLower(mac.AsSpan(0, 4));
    }

    private string Redact(string value, Regex? pattern)
    {
        var plain = value.Length is > 0 and <= 128 && value.All(c => c is > ' ' and <= '~') && (pattern is null ? IsServiceId(value) : Matches(pattern, value));
        return plain ? value : Hash(value);
    }

    private static bool IsServiceId(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool Matches(Regex pattern, string value)
    {
        try
        {
            return pattern.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // Anchored here, so a pattern written without ^ and $ still has to match the whole id.
    private static Regex Whole(string pattern) =>
        new($@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
