namespace Referrals.Receipts;

/// <summary>What a webhook or callback may be, before anything in it is believed.</summary>
public static class ReceiptLimits
{
    /// <summary>Far above any batch a provider posts (SendGrid batches are tens of KiB); a larger body is refused unread.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>A signed request older (or further ahead) than this is refused: a captured request cannot be replayed later.</summary>
    public static readonly TimeSpan MaxSignatureAge = TimeSpan.FromMinutes(5);
}

/// <summary>Why a request was refused before its body was believed. The reason names what was wrong, never a value.</summary>
public enum RequestCheck
{
    Valid,

    /// <summary>No signature, timestamp or token where the provider always sends one.</summary>
    Missing,

    /// <summary>The timestamp is more than <see cref="ReceiptLimits.MaxSignatureAge"/> away from now.</summary>
    Stale,

    /// <summary>The signature does not verify, or the token does not match.</summary>
    Forged,

    /// <summary>Nothing to check against: the public key or token setting is empty or unusable. Everything is refused.</summary>
    NotConfigured,
}

/// <summary>A body parsed, or the reason (naming a field, never quoting a value) it is not what the provider sends.</summary>
public sealed record Parsed<T>(T? Value, string? Problem)
    where T : class;

public static class Parsed
{
    public static Parsed<T> Ok<T>(T value)
        where T : class => new(value, null);

    public static Parsed<T> Refused<T>(string problem)
        where T : class => new(null, problem);
}
