namespace Referrals.Forwarding;

/// <summary>What is delivered to a service or to the Victim Care Unit.</summary>
public enum DeliveryKind
{
    /// <summary>A victim referred to a commissioned service.</summary>
    Referral,

    /// <summary>A referred victim withdrew: the service already reached is told to stop.</summary>
    Withdrawal,

    /// <summary>A consent-pathway victim declined: the Victim Care Unit offers a single support session.</summary>
    SingleSessionOffer,

    /// <summary>A consent-pathway victim has not been asked: the Victim Care Unit seeks their consent.</summary>
    ConsentRequest,

    /// <summary>Rulebook 1.1 section 6: no channel is safe (or every safe one failed): a person at the Victim Care Unit reaches the victim.</summary>
    ContactNeeded,

    /// <summary>Rulebook 1.2 section 11: a service could not reach the victim for one referral: the Victim Care Unit acts.</summary>
    ServiceCouldNotContact,

    /// <summary>Rulebook 1.2 section 10: a Victim Care Unit task became moot and was withdrawn: the Unit is told, so nobody works on it.</summary>
    TaskWithdrawn,

    /// <summary>Rulebook 1.2 section 11: the victim's personal data was erased: a service that received their referral is told, by the referral's ids alone.</summary>
    ErasureNotice,
}

/// <summary>
/// Deterministic delivery ids: the same victim, service and kind always give the same id, the partner's
/// Idempotency-Key. An HTTP header value must be ASCII, so an id that is not short printable ASCII is replaced by
/// its kind and a hash (<c>ref-sha256:</c> and 64 hex digits): still the same for the same delivery, and never equal
/// to a plain id, which always has a ':' right after its kind.
/// </summary>
public static class DeliveryId
{
    /// <summary>The longest plain id; longer ones are hashed, so a header stays short.</summary>
    public const int MaxPlainLength = 200;

    /// <param name="taskId">A Victim Care Unit task's notice (or its withdrawal notice): its id is the task's, opaque (no crime reference, no victim id).</param>
    public static string For(DeliveryKind kind, string crimeReference, string victimId, string serviceId, string? taskId = null)
    {
        if (taskId is not null)
        {
            var task = kind == DeliveryKind.TaskWithdrawn ? $"task-withdrawn:{Part(taskId)}" : $"task:{Part(taskId)}";
            return IsPlain(task) ? task : $"task-sha256:{Hash(task)}";
        }

        var (prefix, plain) = kind switch
        {
            DeliveryKind.Referral => ("ref", $"ref:{Part(crimeReference)}:{Part(victimId)}:{Part(serviceId)}"),
            DeliveryKind.Withdrawal => ("wd", $"wd:{Part(crimeReference)}:{Part(victimId)}:{Part(serviceId)}"),
            DeliveryKind.SingleSessionOffer => ("vcu-session", $"vcu-session:{Part(crimeReference)}:{Part(victimId)}"),
            DeliveryKind.ConsentRequest => ("vcu-consent", $"vcu-consent:{Part(crimeReference)}:{Part(victimId)}"),
            DeliveryKind.ContactNeeded => ("vcu-contact", $"vcu-contact:{Part(crimeReference)}:{Part(victimId)}"),
            DeliveryKind.ServiceCouldNotContact => ("vcu-service", $"vcu-service:{Part(crimeReference)}:{Part(victimId)}:{Part(serviceId)}"),
            DeliveryKind.ErasureNotice => ("erasure", $"erasure:{Part(crimeReference)}:{Part(victimId)}:{Part(serviceId)}"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return IsPlain(plain) ? plain : $"{prefix}-sha256:{Hash(plain)}";
    }

    /// <summary>
    /// The contract allows ':' in references and ids, so crime "A" with victim "B:C" and crime "A:B" with victim "C"
    /// would otherwise share one id, and the second victim's referral would be taken for a repeat (409) and never made.
    /// ':' and '%' are percent-escaped; ordinary ids are unchanged.
    /// </summary>
    private static string Part(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace(":", "%3A", StringComparison.Ordinal);

    /// <summary>Printable ASCII without spaces (a header value is trimmed) and short.</summary>
    private static bool IsPlain(string id) => id.Length <= MaxPlainLength && id.All(c => c is > ' ' and <= '~');

    // The UTF-16 code units as they are (little-endian), so even a lone surrogate hashes without loss.
    private static string Hash(string id) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(id.AsSpan())));
}
